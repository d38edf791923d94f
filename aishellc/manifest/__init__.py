"""The output folder's manifest: its schema, locating its values, and plan."""
