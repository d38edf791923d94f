"""aishellc: a Dockerfile source-to-source compiler."""

__version__ = "0.1.0"
