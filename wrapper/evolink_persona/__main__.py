"""``python -m evolink_persona``: the ``evolink-persona`` command."""

import sys

from .cli import main

sys.exit(main())
