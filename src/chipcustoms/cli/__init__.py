"""The `chipcustoms` command."""
