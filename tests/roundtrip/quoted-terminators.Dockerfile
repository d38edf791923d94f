FROM alpine
RUN <<'EOF'
echo $HOME
EOF
RUN <<"END" bash
echo "$PATH"
END
RUN << EOF
echo spaced marker
EOF
