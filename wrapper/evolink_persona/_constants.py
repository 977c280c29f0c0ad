"""Named defaults that shape the SDK's behaviour, kept together so they are documented once.

docs/sdk.md quotes these numbers; change them here and there together.
"""

from __future__ import annotations

import httpx

DEFAULT_BASE_URL = "https://api.evolink.ai"
API_KEY_ENV = "EVOLINK_API_KEY"
BASE_URL_ENV = "EVOLINK_BASE_URL"

# The generated client has no timeout at all; a paid API call must never hang forever.
# Connecting should be quick; reading a task or submitting one is a small JSON exchange.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# A bounded pool: enough for a polling loop plus a few concurrent calls, never unbounded.
DEFAULT_POOL_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10)

# Retries after the first attempt (so at most 1 + DEFAULT_MAX_RETRIES requests per call).
DEFAULT_MAX_RETRIES = 2
# Exponential backoff: INITIAL * 2**n, capped at MAX, then reduced by up to JITTER (a fraction).
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
RETRY_JITTER = 0.25
# A server-asked delay (Retry-After / retry-after-ms) is honoured up to this many seconds;
# beyond it the SDK stops retrying and raises, so the caller decides rather than blocking.
MAX_RETRY_AFTER = 60.0

# Polling a task with no estimate: the first wait, how much each wait grows, the cap on one wait.
POLL_INITIAL_INTERVAL = 1.0
POLL_GROWTH = 1.5
POLL_MAX_INTERVAL = 10.0
# With an estimated_time: no read before this fraction of it has passed ...
POLL_ESTIMATE_FRACTION = 0.5
# ... then a read every POLL_NEAR_INTERVAL seconds while the task is plausibly finishing,
# up to POLL_OVERRUN_FACTOR x the estimate ...
POLL_NEAR_INTERVAL = 2.0
POLL_OVERRUN_FACTOR = 1.5
# ... and past that, a wait of this fraction of the overrun (geometric), capped as above.
POLL_BACKOFF_FRACTION = 0.25
# Once reported progress gives a finish time, the next read lands just after it, but never
# sooner than POLL_MIN_INTERVAL; a read showing less than POLL_PROGRESS_TOLERANCE of the
# progress the forecast promised (a stall, a lie) makes the schedule above a ceiling again.
POLL_MIN_INTERVAL = 0.5
POLL_PROGRESS_TOLERANCE = 0.7
# Overall deadline of wait_for_persona when the caller gives none.
DEFAULT_WAIT_TIMEOUT = 600.0

# How much of an unexpected body an error may quote.
BODY_EXCERPT_CHARS = 200

USER_AGENT = "evolink-persona-python"
