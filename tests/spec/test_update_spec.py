"""scripts/update-spec without regeneration: reading sources, identifying, refusing, `--diff`.

The slower tests that regenerate a project copy are in test_update_spec_history.py.
"""

from __future__ import annotations

import json
import re
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import update_spec
from spec_source import Extracted
from update_spec import UpdateRefused, extract, fetch, identify

from tests.spec.update_spec_support import (
    DATA,
    HISTORY,
    MUSIC,
    PAGE,
    PERSONA_NEW,
    PERSONA_OLD,
    ROOT,
    copy_project,
    tree_digest,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def run(project: Path, *argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = update_spec.main(list(argv), root=project)
    out, err = capsys.readouterr()
    return code, out, err


# --- reading a source ---------------------------------------------------------------


def test_a_vendor_page_yields_its_openapi_block_byte_for_byte() -> None:
    extracted = extract(fetch(str(PAGE), ROOT))
    lines = PAGE.read_text("utf-8").splitlines(keepends=True)
    assert extracted.raw == "".join(lines[18:391]).encode("utf-8")  # between the fences
    # The sha256 first pinned for this page's block, before any update.
    assert extracted.sha256 == "f5498a14067c3df8bfca35140353efefa88035fc671fc69272c2df7f0a34f3d0"
    assert extracted.form == "yaml"
    assert extracted.block == (
        "yaml /en/api-manual/audio-series/suno/suno-persona-creation.json"
        " POST /v1/audios/generations"
    )
    assert extracted.stem == "suno-persona-creation"


def test_a_bare_json_document_is_kept_byte_for_byte_with_its_date() -> None:
    extracted = extract(fetch(str(PERSONA_NEW), ROOT))
    assert extracted.raw == PERSONA_NEW.read_bytes()
    assert (extracted.form, extracted.block, extracted.published) == ("json", None, "2026-08-02")
    assert extracted.stem == "suno-persona-creation"


def test_a_relative_source_is_read_from_the_callers_folder() -> None:
    extracted = extract(fetch("vendor-history/" + PERSONA_NEW.name, DATA))
    assert extracted.raw == PERSONA_NEW.read_bytes()


PAGE_TEXT = PAGE.read_text("utf-8")
BLOCK_START = PAGE_TEXT.index("````yaml")
BAD_SOURCES = {
    "page-without-block.md": (
        "# Suno Persona Creation\n\nNo OpenAPI here, only `code` and prose.\n\n```bash\nls\n```\n",
        r"has no OpenAPI block",
    ),
    "page-with-two-blocks.md": (
        PAGE_TEXT + "\n\nAgain:\n\n" + PAGE_TEXT[BLOCK_START:],
        r"holds 2 OpenAPI blocks \(line 18 .*, line \d+ .*\); a page must hold exactly one",
    ),
    "not-openapi.json": ('{"name": "persona", "version": 2}\n', r"not an OpenAPI 3\.x document"),
    "swagger.yaml": (
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
        r"Swagger 2\.0 document; only OpenAPI 3\.x",
    ),
    "invalid.yaml": (
        "openapi: 3.1.0\ninfo: {title: x}\npaths: {}\n",
        r'not valid OpenAPI 3\.1\.0: "version" is a required property \(at /info\)\n',
    ),
    "broken.json": ('{"openapi": "3.1.0",\n  "info": }\n', r"looks like JSON but does not parse"),
}


@pytest.mark.parametrize("name", sorted(BAD_SOURCES))
def test_a_bad_source_is_refused_clearly_and_leaves_the_project_untouched(
    name: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, message = BAD_SOURCES[name]
    source = tmp_path / name
    source.write_text(text, "utf-8")
    before = tree_digest(project)
    code, out, err = run(project, str(source), capsys=capsys)
    assert code == update_spec.EXIT_REFUSED
    assert out == ""
    assert err.startswith(f"update-spec: {source}")
    assert "Traceback" not in err
    assert "Nothing was changed." in err
    assert re.search(message, err), err
    assert tree_digest(project) == before


def test_a_source_that_is_not_utf8_is_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "latin1.yaml"
    source.write_bytes("openapi: 3.1.0\ninfo: {title: Caf\xe9}\n".encode("latin-1"))
    code, _, err = run(project, str(source), capsys=capsys)
    assert code == update_spec.EXIT_REFUSED
    assert "is not UTF-8 text" in err


def test_a_missing_file_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(project, "no/such/page.md", capsys=capsys)
    assert code == update_spec.EXIT_REFUSED
    assert "no/such/page.md: no such file (and not an http(s) URL)" in err


# --- which pinned document it replaces ------------------------------------------------


def test_the_persona_document_replaces_the_pinned_persona_file_in_either_form() -> None:
    for source in (PAGE, PERSONA_OLD, PERSONA_NEW):
        target = identify(extract(fetch(str(source), ROOT)), ROOT / "openapi")
        assert target.file == "upstream/suno-persona-creation.yaml"
        assert target.pinned


def test_music_generation_shares_the_path_and_is_told_apart_by_model() -> None:
    target = identify(extract(fetch(str(MUSIC), ROOT)), ROOT / "openapi")
    assert target.file == "upstream/suno-music-generation.yaml"
    assert target.pinned
    persona = identify(extract(fetch(str(PERSONA_NEW), ROOT)), ROOT / "openapi")
    assert persona.file == "upstream/suno-persona-creation.yaml"


def test_a_document_sharing_the_path_with_an_unknown_model_is_new(tmp_path: Path) -> None:
    document = json.loads(MUSIC.read_text("utf-8"))
    operation = document["paths"]["/v1/audios/generations"]["post"]
    operation["operationId"] = "createSunoLyrics"
    document["components"]["schemas"]["SunoMusicGenerationRequest"]["properties"]["model"][
        "enum"
    ] = ["suno-lyrics"]
    source = tmp_path / "suno-lyrics.json"
    source.write_text(json.dumps(document), "utf-8")
    with pytest.raises(UpdateRefused) as refused:
        identify(extract(fetch(str(source), ROOT)), ROOT / "openapi")
    message = str(refused.value)
    assert "is a new document" in message
    assert "createSunoLyrics" in message
    assert "shares the path of openapi/upstream/suno-persona-creation.yaml" in message
    assert "openapi/upstream/suno-music-generation.yaml" in message
    assert "`model`" in message


def test_task_detail_is_the_projects_own_document_not_a_pinned_one() -> None:
    with pytest.raises(UpdateRefused) as refused:
        identify(
            extract(fetch(str(HISTORY / "get-task-detail.2026-03-15.json"), ROOT)), ROOT / "openapi"
        )
    message = str(refused.value)
    assert "written by this project in openapi/project/task-detail.yaml" in message
    assert "not pinned from the vendor" in message
    assert "scripts/update-spec --diff OLD NEW" in message


def _two_pinned_documents(openapi: Path) -> None:
    """An openapi/ with two pinned documents on one path and method, nothing to tell them apart."""
    (openapi / "upstream").mkdir(parents=True)
    for name, operation_id in (("first", "createFirst"), ("second", "createSecond")):
        (openapi / "upstream" / f"{name}.yaml").write_text(
            f"openapi: 3.1.0\ninfo: {{title: {name}, version: '1'}}\n"
            f"paths:\n  /things:\n    post:\n      operationId: {operation_id}\n"
            "      responses: {'200': {description: ok}}\n",
            "utf-8",
        )
    (openapi / "upstream" / "pins.toml").write_text(
        '[files."first.yaml"]\nsha256 = "x"\n\n[files."second.yaml"]\nsha256 = "y"\n', "utf-8"
    )
    (openapi / "merge.toml").write_text(
        'documents = ["upstream/first.yaml", "upstream/second.yaml"]\noutput = "merged.yaml"\n',
        "utf-8",
    )


def _incoming(tmp_path: Path, name: str) -> Extracted:
    source = tmp_path / name
    source.write_text(
        "openapi: 3.1.0\ninfo: {title: Things, version: '2'}\n"
        "paths:\n  /things:\n    post:\n      responses: {'200': {description: ok}}\n",
        "utf-8",
    )
    return extract(fetch(str(source), tmp_path))


def test_a_document_two_pinned_files_could_be_is_ambiguous_and_names_both(tmp_path: Path) -> None:
    _two_pinned_documents(tmp_path / "openapi")
    with pytest.raises(UpdateRefused) as refused:
        identify(_incoming(tmp_path, "things.yaml"), tmp_path / "openapi")
    message = str(refused.value)
    assert "is ambiguous" in message
    assert "openapi/upstream/first.yaml (POST /things (createFirst))" in message
    assert "openapi/upstream/second.yaml (POST /things (createSecond))" in message


def test_the_documents_name_settles_an_ambiguity(tmp_path: Path) -> None:
    _two_pinned_documents(tmp_path / "openapi")
    target = identify(_incoming(tmp_path, "second.2026-09-01.json"), tmp_path / "openapi")
    assert target.file == "upstream/second.yaml"


# --- the pin -----------------------------------------------------------------------


def test_repin_rewrites_one_table_and_keeps_every_other_line() -> None:
    text = (
        "# comment kept\n\n"
        '[files."a.yaml"]\nsha256 = "1"\nnote = "old"\n\n'
        '[files."b.yaml"]\nsha256 = "2"\n'
    )
    fields = {"sha256": "9", "source": 'https://example.com/"quoted"', "format": "json"}
    result = update_spec.repin(text, "a.yaml", fields)
    assert result.startswith("# comment kept\n\n")
    assert result.endswith('\n\n[files."b.yaml"]\nsha256 = "2"\n')
    assert tomllib.loads(result)["files"] == {"a.yaml": fields, "b.yaml": {"sha256": "2"}}


def test_the_pin_of_a_page_records_its_block_and_form() -> None:
    extracted = extract(fetch(str(PAGE), ROOT))
    fields = update_spec.pin_fields(extracted, {}, "2026-11-25")
    assert fields == {
        "sha256": extracted.sha256,
        "source": str(PAGE),
        "operation": "POST /v1/audios/generations (createSunoPersona)",
        "retrieved": "2026-11-25",
        "format": "yaml",
        "block": extracted.block,
        "note": "The YAML block of the vendor's page, byte for byte.",
    }


def test_the_pin_of_a_dated_json_document_records_its_date_and_form() -> None:
    fields = update_spec.pin_fields(extract(fetch(str(PERSONA_NEW), ROOT)), {}, "2026-11-25")
    assert (fields["published"], fields["format"]) == ("2026-08-02", "json")
    assert "block" not in fields
    assert "JSON is YAML, so the file keeps its name" in fields["note"]


# --- --diff: any two documents, the project untouched ------------------------------------


def test_diff_classifies_the_persona_history_and_names_what_it_touches(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(project)
    report_file = tmp_path / "report.json"
    code, out, _ = run(
        project,
        "--diff",
        str(PERSONA_OLD),
        str(PERSONA_NEW),
        "--json",
        str(report_file),
        capsys=capsys,
    )
    assert code == update_spec.EXIT_OK
    assert "response-property-enum-removed" in out  # the terminal table
    report: dict[str, Any] = json.loads(report_file.read_text("utf-8"))
    changes = report["sections"][0]["changes"]
    enum_change = next(c for c in changes if c["rule"] == "response-property-enum-removed")
    assert enum_change["level"] == "needs attention"
    assert enum_change["pointer"] == "/components/schemas/Usage/properties/user_group/enum"
    assert enum_change["operation"] == "POST /v1/audios/generations"
    # usage.py holds the field; usage_user_group.py its enum, while the project has one.
    assert enum_change["touches"][0].startswith(
        "generated client (on regeneration): models/usage.py"
    )
    assert (
        "SDK models (wrapper/evolink_persona/_models.py: names `user_group`)"
        in enum_change["touches"]
    )
    assert report["counts"] == {"breaking": 0, "needs attention": 1, "compatible": 1}
    assert tree_digest(project) == before


@pytest.mark.parametrize(
    ("old", "new", "fail_on", "expected"),
    [
        ("suno-persona-creation.2026-03-23", "suno-persona-creation.2026-08-02", "attention", 1),
        ("suno-persona-creation.2026-03-23", "suno-persona-creation.2026-08-02", "breaking", 0),
        ("get-task-detail.2026-01-20", "get-task-detail.2026-03-05", "breaking", 1),
        ("get-task-detail.2026-03-05", "get-task-detail.2026-03-15", "attention", 0),
    ],
)
def test_fail_on_sets_the_exit_code_by_the_worst_level(
    old: str,
    new: str,
    fail_on: str,
    expected: int,
    project: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, _ = run(
        project,
        "--diff",
        str(HISTORY / f"{old}.json"),
        str(HISTORY / f"{new}.json"),
        "--fail-on",
        fail_on,
        capsys=capsys,
    )
    assert code == expected


def test_diff_of_task_detail_in_markdown_shows_the_breaking_error_code(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        project,
        "--diff",
        str(HISTORY / "get-task-detail.2026-01-20.json"),
        str(HISTORY / "get-task-detail.2026-03-05.json"),
        "--format",
        "markdown",
        capsys=capsys,
    )
    assert code == 0
    assert out.startswith("## Spec diff\n")
    assert "- **changes:** 1 breaking, 0 needs attention, 15 compatible" in out
    assert (
        "| breaking | `response-property-type-changed` | "
        "`/components/schemas/ErrorResponse/properties/error/properties/code/type` | "
        "`code`: type integer → string |"
    ) in out


def test_a_document_that_contradicts_ours_is_refused_with_the_merges_own_error(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(PERSONA_NEW.read_text("utf-8"))
    error = document["components"]["schemas"]["ErrorResponse"]["properties"]["error"]
    error["properties"]["code"]["type"] = "integer"
    source = tmp_path / "suno-persona-creation.json"
    source.write_text(json.dumps(document, indent=4), "utf-8")
    before = tree_digest(project)
    code, out, err = run(project, str(source), capsys=capsys)
    assert code == update_spec.EXIT_REFUSED
    assert out == ""
    assert "the new upstream/suno-persona-creation.yaml contradicts the other documents" in err
    assert (
        "merge conflict at /components/schemas/ErrorResponse/properties/error/properties/code/type"
        in err
    )
    assert "openapi/upstream/suno-persona-creation.yaml says 'integer'" in err
    # The first document after it to define the field: the music document, also the vendor's.
    assert "openapi/upstream/suno-music-generation.yaml says 'string'" in err
    assert tree_digest(project) == before


@pytest.mark.parametrize("version", ["2026-01-20", "2026-03-05", "2026-03-15"])
@pytest.mark.parametrize("mode", [(), ("--check",)])
def test_taking_any_task_detail_version_is_refused_and_changes_nothing(
    version: str, mode: tuple[str, ...], project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(project)
    source = HISTORY / f"get-task-detail.{version}.json"
    code, _, err = run(project, str(source), *mode, capsys=capsys)
    assert code == update_spec.EXIT_REFUSED
    assert "openapi/project/task-detail.yaml" in err
    assert tree_digest(project) == before


# --- a page served over HTTP ------------------------------------------------------------


@pytest.fixture
def vendor_site(project: Path) -> Iterator[str]:
    """A loopback server publishing like the vendor's site: a page and bare documents."""
    routes = {
        "/en/api-manual/audio-series/suno/suno-persona-creation": PAGE.read_bytes(),
        "/history/suno-persona-creation.2026-08-02.json": PERSONA_NEW.read_bytes(),
        # Whatever the project pinned last, as the site's source still serves it.
        "/source/suno-persona-creation": (
            project / "openapi" / "upstream" / "suno-persona-creation.yaml"
        ).read_bytes(),
    }

    class Site(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = routes.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/markdown; charset=utf-8")
            self.end_headers()
            self.wfile.write(body if body is not None else b"not found")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_page_over_http_yields_the_same_document_as_the_page_on_disk(vendor_site: str) -> None:
    url = f"{vendor_site}/en/api-manual/audio-series/suno/suno-persona-creation"
    served = extract(fetch(url, ROOT))
    assert served.raw == extract(fetch(str(PAGE), ROOT)).raw
    assert (served.origin, served.stem) == (url, "suno-persona-creation")


def test_check_of_the_pinned_document_over_http_says_not_moved(
    vendor_site: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(project)
    url = f"{vendor_site}/source/suno-persona-creation"
    code, out, _ = run(project, url, "--check", capsys=capsys)
    assert code == update_spec.EXIT_OK
    assert "the upstream has not moved" in out
    assert tree_digest(project) == before


def test_diff_between_a_served_page_and_a_served_document(
    vendor_site: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = f"{vendor_site}/en/api-manual/audio-series/suno/suno-persona-creation"
    newer = f"{vendor_site}/history/suno-persona-creation.2026-08-02.json"
    code, out, _ = run(project, "--diff", page, newer, "--format", "json", capsys=capsys)
    assert code == 0
    rules = {c["rule"] for c in json.loads(out)["sections"][0]["changes"]}
    assert rules == {"response-property-enum-removed", "description-changed"}


def test_a_url_that_answers_404_is_refused(
    vendor_site: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(project, f"{vendor_site}/moved-away", capsys=capsys)
    assert code == update_spec.EXIT_REFUSED
    assert f"GET {vendor_site}/moved-away answered 404, not 200" in err
