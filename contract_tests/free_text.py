"""Free text a server must take as given: long, non-ASCII, outside the BMP, combining, RTL.

The spec sets no ``maxLength`` on ``name``, ``description`` or ``style`` and no character
set, so a persona called a 300-character line of CJK, emoji and Arabic is a valid request.
Schemathesis draws non-ASCII text often but long text rarely (tens of characters in a
short run), so the live runner sends these explicit positive creations before the drawn
ones. Steering replaces only their ids, as it does for drawn cases, so a server that
fails on the text itself is caught by ``not_a_server_error`` (and, refusing it, by
``positive_data_acceptance``).
"""

from __future__ import annotations

from typing import Any, Final

from schemathesis import Case

__all__ = ["FREE_TEXTS", "free_text_cases"]

_PLACEHOLDER_TASK: Final = "task-unified-1774169216-ocqaqde7"
_PLACEHOLDER_SONG: Final = "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb"

#: (name, description, style) triples, each stranger than the last.
FREE_TEXTS: Final = (
    ("Sängerin Ünïcødé", "Café-Stimme, naïve und zart", "chanson française"),
    ("歌手の声 🎤🎶", "温かい声のジャズ 🎷 — المغنية بصوت دافئ", "ジャズ"),
    ("A" * 300, "long description " * 120, "s" * 200),
    ("e\u0301\u0301 Zalgo ̷̡̛͓", "RTL \u202eelbarevsi\u202c and emoji 👩🏽‍🎤🏳️‍🌈", "🎸" * 64),
)


def free_text_cases(operation: Any) -> list[Case[Any]]:
    """One positive persona creation per entry of ``FREE_TEXTS`` (ids to be steered)."""
    cases = []
    for name, description, style in FREE_TEXTS:
        body = {
            "model": "suno-persona",
            "model_params": {
                "source_task_id": _PLACEHOLDER_TASK,
                "result_id": _PLACEHOLDER_SONG,
                "name": name,
                "description": description,
                "style": style,
            },
        }
        cases.append(operation.Case(body=body, media_type="application/json"))
    return cases
