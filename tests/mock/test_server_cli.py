"""The standalone command's own help names a command a user can actually run."""

from __future__ import annotations

import pytest
from evolink_mock import server


def test_usage_names_a_runnable_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        server.main(["--help"])
    assert exited.value.code == 0
    usage = capsys.readouterr().out
    assert usage.startswith("usage: python -m evolink_mock ")
    assert "--persona-duration" in usage
