"""`python -m kdash` runs the same entry point as the `kdash` command."""

from kdash.cli import main

raise SystemExit(main())
