#!/usr/bin/env python3
"""Entry point: `python build.py` builds the site; see `python build.py --help`."""
import sys

from newsdigest.cli import main

if __name__ == "__main__":
    sys.exit(main())
