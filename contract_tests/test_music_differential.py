"""The SDK's music rules agree with the server's verdict on every boundary and beyond."""

from __future__ import annotations

from contract_tests.inprocess import fresh_mock
from contract_tests.music_differential import MUSIC_BOUNDARIES, check_music_rules_agree, judge_music


def test_music_sdk_and_server_agree() -> None:
    check_music_rules_agree(fresh_mock())


def test_the_boundaries_cover_both_sides() -> None:
    mock = fresh_mock()
    with mock.http() as http:
        verdicts = [judge_music(mock, arguments, http)[2] for arguments in MUSIC_BOUNDARIES]
    assert verdicts.count(200) >= 15
    assert verdicts.count(400) >= 25
