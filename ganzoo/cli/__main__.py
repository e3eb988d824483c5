"""``python -m ganzoo.cli``: the same as the ``ganzoo`` command."""

import sys

from . import main

sys.exit(main())
