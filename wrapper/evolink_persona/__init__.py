"""EvoLink Suno Persona SDK: create a persona from a song and wait for its ``persona_id``.

from evolink_persona import PersonaClient

with PersonaClient() as client:               # key from EVOLINK_API_KEY
    song = client.list_songs("task-unified-...")[0]
    persona = client.create_persona_and_wait(
        source_task_id="task-unified-...", result_id=song.result_id,
        name="Jazz Vocalist", description="Smooth jazz vocals",
    )
    print(persona.persona_id)
"""

import logging as _logging
from importlib import metadata as _metadata

from ._async_client import AsyncPersonaClient
from ._callbacks import read_callback
from ._client import PersonaClient
from ._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_WAIT_TIMEOUT,
)
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    EvolinkError,
    InsufficientQuotaError,
    NoSongsError,
    NotAPersonaTaskError,
    NotFoundError,
    PermissionDeniedError,
    PersonaAlreadyExistsError,
    RateLimitedError,
    RequestValidationError,
    ServerError,
    TaskFailedError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from ._models import KNOWN_STATUSES, Persona, Song, Task, TaskError, Usage
from ._music import (
    DEFAULT_MUSIC_MODEL,
    MUSIC_MODELS,
    MusicRequest,
    check_music_request,
    validate_music_request,
)
from ._polling import PollPolicy
from ._retry import RetryPolicy, parse_retry_after
from ._rules import Violation, check_persona_request, validate_persona_request

# Silent unless the application configures logging (the library convention).
_logging.getLogger("evolink_persona").addHandler(_logging.NullHandler())

try:
    __version__ = _metadata.version("evolink-suno-persona")
except _metadata.PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MUSIC_MODEL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WAIT_TIMEOUT",
    "KNOWN_STATUSES",
    "MUSIC_MODELS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPersonaClient",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "EvolinkError",
    "InsufficientQuotaError",
    "MusicRequest",
    "NoSongsError",
    "NotAPersonaTaskError",
    "NotFoundError",
    "PermissionDeniedError",
    "Persona",
    "PersonaAlreadyExistsError",
    "PersonaClient",
    "PollPolicy",
    "RateLimitedError",
    "RequestValidationError",
    "RetryPolicy",
    "ServerError",
    "Song",
    "Task",
    "TaskError",
    "TaskFailedError",
    "UnexpectedResponseError",
    "Usage",
    "Violation",
    "WaitTimeoutError",
    "check_music_request",
    "check_persona_request",
    "parse_retry_after",
    "read_callback",
    "validate_music_request",
    "validate_persona_request",
]


def __dir__() -> list[str]:
    # The public names only: not the private modules or the imports above.
    return sorted([*__all__, "__version__"])
