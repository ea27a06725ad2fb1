"""`python -m chipcustoms` runs the CLI."""

from chipcustoms.cli.main import main

main()
