# Project sandbox: Python 3.12 tooling and a PostgreSQL client for the test database.
FROM aishell:base

USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        postgresql-client libpq-dev build-essential python3-dev \
    && rm -rf /var/lib/apt/lists/*

# uv is in the foundation; pin the interpreter the project uses.
RUN uv python install 3.12 && uv tool install ruff@0.6.9 && uv tool install pre-commit

ENV PGHOST=db \
    PGUSER=developer \
    UV_LINK_MODE=copy

COPY requirements-dev.txt /tmp/requirements-dev.txt
RUN uv pip install --system -r /tmp/requirements-dev.txt && rm /tmp/requirements-dev.txt

USER developer
WORKDIR /workspace
