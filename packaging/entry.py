"""Entry point of the frozen app: PDF-export worker processes first, then the command line (no arguments: the GUI)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # PDF export starts "spawn" worker processes; in the frozen app each one re-runs this executable, and
    # freeze_support() turns it into the worker (and exits) before the command line is parsed.
    multiprocessing.freeze_support()
    from invoicer.cli import main

    sys.exit(main())
