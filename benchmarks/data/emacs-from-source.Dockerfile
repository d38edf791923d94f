# Emacs 29 built from source in its own stage, copied into the sandbox.
FROM debian:bookworm-slim AS emacs-build
ARG EMACS_VERSION=29.4
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential autoconf texinfo libgnutls28-dev libncurses-dev \
      libjansson-dev libtree-sitter-dev curl ca-certificates xz-utils
WORKDIR /src
RUN curl -fsSL "https://ftp.gnu.org/gnu/emacs/emacs-${EMACS_VERSION}.tar.xz" | tar -xJ --strip-components=1
RUN ./configure --prefix=/opt/emacs --without-x --with-tree-sitter --with-json \
    && make -j"$(nproc)" && make install

FROM aishell:base
USER root
RUN apt-get update && apt-get install -y --no-install-recommends \
      libgnutls30 libncurses6 libjansson4 libtree-sitter0 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=emacs-build /opt/emacs /opt/emacs
ENV PATH=/opt/emacs/bin:$PATH
COPY --chown=developer:developer .emacs.d /home/developer/.emacs.d
USER developer
