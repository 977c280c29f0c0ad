"""Installing the distribution without the `mock` extra must not break anyone's pytest.

The pytest plugin is registered for every install, so importing it (and the documented
fixture constants) may not need jsonschema-rs or uvicorn; asking for a mock without them
gets a message naming the extra. Run in a subprocess where those modules are blocked
(``sys.modules[name] = None`` makes their import fail, as on a machine without them).
"""

from __future__ import annotations

import subprocess
import sys

BLOCK = "import sys\nfor name in ('jsonschema_rs', 'uvicorn'):\n    sys.modules[name] = None\n"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK + code], capture_output=True, text=True, check=False
    )


def test_the_plugin_and_fixture_constants_import_without_the_extra() -> None:
    result = _run(
        "import evolink_mock.pytest_plugin, evolink_mock.fixtures as f\nprint(f.DEMO_API_KEY)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sk-")


def test_asking_for_a_mock_without_the_extra_names_the_extra() -> None:
    result = _run("from evolink_mock import create_app")
    assert result.returncode == 1
    assert "pip install 'evolink-suno-persona[mock]'" in result.stderr
    assert "jsonschema_rs is missing" in result.stderr


def test_the_cli_demo_without_the_extra_is_a_configuration_error_not_a_traceback() -> None:
    result = _run("from evolink_persona import cli\nraise SystemExit(cli.main(['demo']))")
    assert result.returncode == 3
    assert "evolink-suno-persona[mock]" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_dash_m_evolink_mock_without_the_extra_exits_3_naming_the_extra() -> None:
    result = _run("import runpy\nrunpy.run_module('evolink_mock', run_name='__main__')")
    assert result.returncode == 3
    assert "pip install 'evolink-suno-persona[mock]'" in result.stderr
    assert "Traceback" not in result.stderr
