FROM alpine
RUN <<EOF
echo crlf body
EOF
