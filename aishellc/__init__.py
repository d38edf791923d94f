"""aishellc: a Dockerfile source-to-source compiler for aishell sandboxes."""

__version__ = "0.1.0"
