"""Reading Dockerfiles as BuildKit does."""
