"""Entry point for ``python -m invoicer``."""

from invoicer.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
