"""`python -m lms ...` is the `lms` command."""

from lms.cli.main import main

main()
