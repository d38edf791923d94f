FROM aishell:foundation

USER root
ARG GO_VERSION=1.23.2
RUN curl -fsSL "https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz" | tar -C /usr/local -xz
ENV PATH=/usr/local/go/bin:/home/developer/go/bin:$PATH

USER developer
RUN go install golang.org/x/tools/gopls@v0.16.2 \
    && go install github.com/golangci/golangci-lint/cmd/golangci-lint@v1.61.0 \
    && go install github.com/go-delve/delve/cmd/dlv@v1.23.1
# aishellc ignore=AIS203
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
