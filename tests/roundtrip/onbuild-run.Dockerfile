FROM alpine
ONBUILD RUN echo triggered
ONBUILD COPY . /app
onbuild run <<EOF
echo heredoc trigger
EOF
