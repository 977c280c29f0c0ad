"""The built wheel, installed in a fresh venv outside the repository, works as the README says.

One wheel is built (``uv build``) and installed twice, with and without the ``mock`` extra,
into venvs under the test's temporary folder, with versions pinned by ``uv.lock``
(``uv export``). uv tries its cache first (``--offline``) and the package registry only when
the cache lacks something, so the test runs offline here and on a fresh CI machine alike.
The user's project is a folder with one test file: the README's fixture recipe.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.mock.readme_recipe import ROOT, readme_recipe

EXTRA_HINT = "pip install 'evolink-suno-persona[mock]'"


def _uv() -> str:
    bundled = ROOT / ".tools" / "bin" / "uv"
    found = str(bundled) if bundled.exists() else shutil.which("uv")
    assert found, "uv is missing: scripts/_env.sh installs it into .tools/"
    return found


def _clean_env() -> dict[str, str]:
    """The environment minus whatever points into the repository's own venv or sources."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VIRTUAL_ENV"))}
    env.pop("PYTHONPATH", None)
    return env


def _run(argv: Sequence[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in argv],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def _uv_run(argv: Sequence[str | Path], cwd: Path) -> None:
    """A uv command from the cache if it can, else with the registry; fails with uv's words."""
    result = _run([_uv(), *argv[:1], "--offline", *argv[1:]], cwd)
    if result.returncode != 0:
        result = _run([_uv(), *argv], cwd)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("wheel")


@pytest.fixture(scope="module")
def wheel(work: Path) -> Path:
    _uv_run(["build", "--wheel", "--quiet", "-o", work / "dist", ROOT], work)
    (built,) = (work / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def constraints(work: Path) -> Path:
    pins = work / "constraints.txt"
    _uv_run(
        [
            "export",
            "--project",
            ROOT,
            "--frozen",
            "--all-extras",
            "--no-hashes",
            "--quiet",
            "--no-emit-project",
            "--no-header",
            "-o",
            pins,
        ],
        work,
    )
    return pins


def _venv(work: Path, wheel: Path, constraints: Path, *, extra: str) -> Path:
    """A fresh venv with the wheel (``extra`` installed too) and pytest; its python."""
    venv = work / f"venv{extra or '-core'}"
    _uv_run(["venv", "--quiet", "--python", sys.executable, venv], work)
    python = venv / "bin" / "python"
    requirement = f"{wheel}{extra}"
    _uv_run(
        ["pip", "install", "--quiet", "--python", python, "-c", constraints, requirement, "pytest"],
        work,
    )
    return python


@pytest.fixture(scope="module")
def with_mock(work: Path, wheel: Path, constraints: Path) -> Path:
    return _venv(work, wheel, constraints, extra="[mock]")


@pytest.fixture(scope="module")
def without_mock(work: Path, wheel: Path, constraints: Path) -> Path:
    return _venv(work, wheel, constraints, extra="")


def _project(work: Path, name: str, test_file: str) -> Path:
    project = work / name
    project.mkdir()
    (project / "test_user.py").write_text(test_file, encoding="utf-8")
    return project


def test_the_readme_recipe_passes_in_a_fresh_project_with_the_mock_extra(
    work: Path, with_mock: Path
) -> None:
    project = _project(work, "user-project", readme_recipe())
    result = _run([with_mock, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    where = _run([with_mock, "-c", "import evolink_persona; print(evolink_persona.__file__)"], work)
    assert Path(where.stdout.strip()).is_relative_to(with_mock.parent.parent)
    assert not Path(where.stdout.strip()).is_relative_to(ROOT)


def test_the_installed_commands_print_the_version(with_mock: Path) -> None:
    bin_dir = with_mock.parent
    for argv in (
        [bin_dir / "evolink-persona", "--version"],
        [with_mock, "-m", "evolink_persona", "--version"],
    ):
        result = _run(argv, bin_dir)
        assert (result.returncode, result.stdout.split()[0]) == (0, "evolink-persona"), result


def test_without_the_extra_pytest_runs_and_asking_for_a_mock_names_the_extra(
    work: Path, without_mock: Path
) -> None:
    tests = (
        "import evolink_persona.testing\n\n"
        "def test_unrelated():\n    assert evolink_persona.testing.mock_client\n\n"
        "def test_wants_a_mock(evolink_mock):\n    pass\n"
    )
    project = _project(work, "user-project-core", tests)
    result = _run([without_mock, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)
    assert "1 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert EXTRA_HINT in result.stdout


@pytest.mark.parametrize("command", [["-m", "evolink_mock"], ["-m", "evolink_persona", "demo"]])
def test_without_the_extra_the_mock_commands_exit_3_naming_the_extra(
    work: Path, without_mock: Path, command: list[str]
) -> None:
    result = _run([without_mock, *command], work)
    assert result.returncode == 3
    assert "evolink-suno-persona[mock]" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_readme_in_the_wheel_links_to_nothing_the_wheel_lacks(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode("utf-8")
    assert "fixture-recipe" in text  # the README is the long description
    relative = re.findall(r"\]\((?!https?://|#)([^)]+)\)", text)
    assert relative == [], f"relative links the wheel cannot resolve: {relative}"
    for named in sorted(set(re.findall(r"`((?:docs/[\w-]+|BENCHMARKS)\.md)`", text))):
        assert (ROOT / named).is_file(), f"the README names {named}, which does not exist"


def test_the_sdist_ships_every_document_the_readme_names(work: Path) -> None:
    _uv_run(["build", "--sdist", "--quiet", "-o", work / "sdist", ROOT], work)
    (sdist,) = (work / "sdist").glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        shipped = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:docs/[\w-]+|BENCHMARKS)\.md)`", readme))
    assert named
    assert named <= shipped, f"named but not in the sdist: {sorted(named - shipped)}"
