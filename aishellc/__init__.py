"""aishellc: a Dockerfile source-to-source compiler for AI coding harness images."""

__version__ = "0.1.0"
