"""`python -m credo.cli`: the same as the `credo` command."""

from credo.cli.app import main

main()
