"""`python -m bench.images`: see bench/images/run.py."""

import sys

from bench.images.run import main

sys.exit(main())
