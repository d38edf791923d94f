FROM alpine
COPY <<a.txt <<b.txt /dest/
first
a.txt
second
b.txt
RUN <<EOF cat - <<EOT2
echo one
EOF
two
EOT2
