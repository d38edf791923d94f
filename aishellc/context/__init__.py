"""The build context: COPY/ADD sources and their rules, .dockerignore matching, remote
sources and the target platform."""
