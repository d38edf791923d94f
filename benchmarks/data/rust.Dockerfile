# syntax=docker/dockerfile:1
FROM aishell:base

USER root
ARG RUST_VERSION=1.82.0
ENV RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:$PATH

RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && apt-get install -y --no-install-recommends \
        build-essential pkg-config libssl-dev clang lld

RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
      | sh -s -- -y --no-modify-path --profile minimal --default-toolchain "${RUST_VERSION}" \
    && rustup component add clippy rustfmt rust-analyzer \
    && chmod -R a+w "$RUSTUP_HOME" "$CARGO_HOME"

RUN cargo install --locked cargo-nextest cargo-watch just

USER developer
