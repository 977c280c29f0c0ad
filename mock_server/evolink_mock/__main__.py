"""`python -m evolink_mock`: the standalone mock server.

Without the `mock` extra its server stack is missing: that is said in one line naming the
extra (exit 3, as `evolink-persona mock` does), not in a traceback.
"""

from __future__ import annotations

import sys

try:
    from .server import main
except ModuleNotFoundError as missing:
    print(
        f"evolink-mock: the mock server needs the 'mock' extra ({missing.name} is not "
        "installed): pip install 'evolink-suno-persona[mock]'",
        file=sys.stderr,
    )
    sys.exit(3)

sys.exit(main())
