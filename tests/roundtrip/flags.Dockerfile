FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,source=.,target=/src \
    go build ./...
COPY --from=build --chmod=755 /out /usr/local/bin/
HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1
