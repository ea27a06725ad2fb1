"""The server: one application over the store for the API (`api/`) and the pages (`web/`)."""
