FROM alpine
RUN apk add --no-cache \
# the shell
    bash \
    # the editor
    vim
