"""The users, keys and tasks every fresh mock starts with: documented, deterministic.

A mock is only useful offline if a developer can name a task that works and one that
fails for each rule. These constants are those names; the startup banner prints them.
All ids have the upstream form `task-unified-<unix>-<8 lowercase letters or digits>` and
every song id is a UUID. `DEMO_MUSIC_TASK_ID` and `DEMO_RESULT_ID` are the ids of the
spec's own request example, so the documented example succeeds against a fresh mock.
"""

from __future__ import annotations

import uuid

import attrs

__all__ = [
    "DEMO_API_KEY",
    "DEMO_FAILED_TASK_ID",
    "DEMO_LEGACY_MUSIC_TASK_ID",
    "DEMO_MUSIC_TASK_ID",
    "DEMO_PERSONA_ID",
    "DEMO_PERSONA_SOURCE_RESULT_ID",
    "DEMO_PERSONA_TASK_ID",
    "DEMO_RESULT_ID",
    "DEMO_SECOND_RESULT_ID",
    "DEMO_UNFINISHED_TASK_ID",
    "DEMO_USER_ID",
    "DEMO_V4_MUSIC_TASK_ID",
    "DEMO_V5_MUSIC_TASK_ID",
    "DEMO_V35_MUSIC_TASK_ID",
    "NO_CREDITS_API_KEY",
    "NO_CREDITS_MUSIC_TASK_ID",
    "NO_CREDITS_USER_ID",
    "SECOND_API_KEY",
    "SECOND_MUSIC_TASK_ID",
    "SECOND_RESULT_ID",
    "SECOND_USER_ID",
    "USERS",
    "FixtureSong",
    "FixtureTask",
    "FixtureUser",
    "song_id",
]

_SONG_NAMESPACE = uuid.UUID("6f1d2c3b-8a4e-4f5a-9b7c-0d1e2f3a4b5c")


def song_id(task_id: str, index: int) -> str:
    """The deterministic `result_id` of song number `index` of a fixture task."""
    return str(uuid.uuid5(_SONG_NAMESPACE, f"{task_id}/{index}"))


@attrs.frozen
class FixtureSong:
    """One song of a finished music task."""

    result_id: str
    title: str
    duration: float
    tags: str


@attrs.frozen(kw_only=True)
class FixtureTask:
    """A task that exists before the first request. Fixture tasks never change state."""

    task_id: str
    model: str
    status: str  # completed | processing | failed
    songs: tuple[FixtureSong, ...] = ()
    #: Give `result_data` the older bare-list form instead of `{"songs": [...]}`.
    legacy_result_list: bool = False
    progress: int = 100
    error_code: str | None = None
    error_message: str | None = None
    #: For a completed `suno-persona` task: the persona it produced.
    persona_id: str | None = None
    #: For a `suno-persona` task: the song the persona was made from (it is taken).
    source_result_id: str | None = None

    @property
    def created(self) -> int:
        """Creation time, read from the id (`task-unified-<unix>-...`)."""
        return int(self.task_id.split("-")[2])


@attrs.frozen(kw_only=True)
class FixtureUser:
    """A user of the mock: an API key, a balance and the tasks they own."""

    user_id: str
    api_key: str
    #: Starting credits; None means the config's `credits_per_user`.
    credits: float | None = None
    tasks: tuple[FixtureTask, ...] = ()


def _songs(
    task_id: str, titles: tuple[str, ...], *, first: str | None = None
) -> tuple[FixtureSong, ...]:
    songs = []
    for index, title in enumerate(titles):
        rid = first if (index == 0 and first is not None) else song_id(task_id, index)
        songs.append(FixtureSong(rid, title, 150.0 + 12.5 * index, "electronic pop"))
    return tuple(songs)


# --- the demo user: the key the docs, the CLI demo and the pytest fixture use ----------

DEMO_USER_ID = "user-demo"
#: API key of the first user (the one the examples use).
DEMO_API_KEY = "sk-evolink-mock-demo-7f3a9c2e41b8d605"

#: Completed suno-v4.5 music task with two songs; the spec's request example points here.
DEMO_MUSIC_TASK_ID = "task-unified-1774169216-ocqaqde7"
#: First song of `DEMO_MUSIC_TASK_ID` (the spec example's `result_id`).
DEMO_RESULT_ID = "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb"
#: Second song of `DEMO_MUSIC_TASK_ID`.
DEMO_SECOND_RESULT_ID = song_id(DEMO_MUSIC_TASK_ID, 1)
#: Completed suno-v5 music task with three songs; its third already has a persona.
DEMO_V5_MUSIC_TASK_ID = "task-unified-1774169300-v5songs1"
#: The song of `DEMO_V5_MUSIC_TASK_ID` that `DEMO_PERSONA_TASK_ID` was made from.
DEMO_PERSONA_SOURCE_RESULT_ID = song_id(DEMO_V5_MUSIC_TASK_ID, 2)
#: Completed suno-v4 music task (the oldest accepted version).
DEMO_V4_MUSIC_TASK_ID = "task-unified-1774169350-v4songs1"
#: Completed suno-v4.5plus task whose `result_data` uses the older bare-list form.
DEMO_LEGACY_MUSIC_TASK_ID = "task-unified-1774169380-legacy01"
#: Completed suno-v3.5 task: refused as a source (needs suno-v4 or above).
DEMO_V35_MUSIC_TASK_ID = "task-unified-1774169400-v35song1"
#: Music task still processing: refused as a source (not completed).
DEMO_UNFINISHED_TASK_ID = "task-unified-1774169450-running1"
#: Failed music task: refused as a source.
DEMO_FAILED_TASK_ID = "task-unified-1774169500-failed01"
#: Completed suno-persona task: refused as a source (a persona of a persona).
DEMO_PERSONA_TASK_ID = "task-unified-1774169550-persona1"
#: The persona `DEMO_PERSONA_TASK_ID` produced (the upstream example's id).
DEMO_PERSONA_ID = "5c57d49ef834110496fae5aa14fec441"

# --- a second user, to show isolation --------------------------------------------------

SECOND_USER_ID = "user-second"
SECOND_API_KEY = "sk-evolink-mock-second-2d8e61b07c4f93a5"
#: Completed suno-v5 music task of the second user (the demo user gets 400/403 on it).
SECOND_MUSIC_TASK_ID = "task-unified-1774170000-second01"
SECOND_RESULT_ID = song_id(SECOND_MUSIC_TASK_ID, 0)

# --- a user with no credits, to show 402 ---------------------------------------------

NO_CREDITS_USER_ID = "user-no-credits"
NO_CREDITS_API_KEY = "sk-evolink-mock-broke-90c1e7a45b3f26d8"
#: Completed suno-v4.5 music task of the user without credits.
NO_CREDITS_MUSIC_TASK_ID = "task-unified-1774170100-nocred01"

USERS: tuple[FixtureUser, ...] = (
    FixtureUser(
        user_id=DEMO_USER_ID,
        api_key=DEMO_API_KEY,
        tasks=(
            FixtureTask(
                task_id=DEMO_MUSIC_TASK_ID,
                model="suno-v4.5-beta",
                status="completed",
                songs=_songs(
                    DEMO_MUSIC_TASK_ID,
                    ("Summer Dreams", "Summer Dreams (alt)"),
                    first=DEMO_RESULT_ID,
                ),
            ),
            FixtureTask(
                task_id=DEMO_V5_MUSIC_TASK_ID,
                model="suno-v5-beta",
                status="completed",
                songs=_songs(DEMO_V5_MUSIC_TASK_ID, ("Neon Rain", "Neon Rain (alt)", "Afterglow")),
            ),
            FixtureTask(
                task_id=DEMO_V4_MUSIC_TASK_ID,
                model="suno-v4-beta",
                status="completed",
                songs=_songs(DEMO_V4_MUSIC_TASK_ID, ("Old Road", "Old Road (alt)")),
            ),
            FixtureTask(
                task_id=DEMO_LEGACY_MUSIC_TASK_ID,
                model="suno-v4.5plus-beta",
                status="completed",
                legacy_result_list=True,
                songs=_songs(DEMO_LEGACY_MUSIC_TASK_ID, ("Paper Moon", "Paper Moon (alt)")),
            ),
            FixtureTask(
                task_id=DEMO_V35_MUSIC_TASK_ID,
                model="suno-v3.5-beta",
                status="completed",
                songs=_songs(DEMO_V35_MUSIC_TASK_ID, ("Dial Tone",)),
            ),
            FixtureTask(
                task_id=DEMO_UNFINISHED_TASK_ID,
                model="suno-v5-beta",
                status="processing",
                progress=40,
            ),
            FixtureTask(
                task_id=DEMO_FAILED_TASK_ID,
                model="suno-v5-beta",
                status="failed",
                progress=100,
                error_code="generation_failed_no_content",
                error_message="The model produced no audio for this prompt; try again.",
            ),
            FixtureTask(
                task_id=DEMO_PERSONA_TASK_ID,
                model="suno-persona",
                status="completed",
                persona_id=DEMO_PERSONA_ID,
                source_result_id=DEMO_PERSONA_SOURCE_RESULT_ID,
            ),
        ),
    ),
    FixtureUser(
        user_id=SECOND_USER_ID,
        api_key=SECOND_API_KEY,
        tasks=(
            FixtureTask(
                task_id=SECOND_MUSIC_TASK_ID,
                model="suno-v5-beta",
                status="completed",
                songs=_songs(SECOND_MUSIC_TASK_ID, ("Glass City", "Glass City (alt)")),
            ),
        ),
    ),
    FixtureUser(
        user_id=NO_CREDITS_USER_ID,
        api_key=NO_CREDITS_API_KEY,
        credits=0.0,
        tasks=(
            FixtureTask(
                task_id=NO_CREDITS_MUSIC_TASK_ID,
                model="suno-v4.5-beta",
                status="completed",
                songs=_songs(NO_CREDITS_MUSIC_TASK_ID, ("Empty Pockets", "Empty Pockets (alt)")),
            ),
        ),
    ),
)
