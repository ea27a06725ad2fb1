"""`python -m chipcustoms` runs the CLI."""

from chipcustoms.cli import main

main()
