"""`bayegan parse FILE --source nosuch` names the unknown source and how to list the known ones."""
from __future__ import annotations

from click.testing import CliRunner

from worker.cli import cli

PAGE = "<html><head><title>t</title></head><body><article><h1>عنوان</h1><p>متن</p></article></body></html>"


def test_parse_rejects_an_unknown_source(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    r = CliRunner().invoke(cli, ["parse", str(page), "--source", "nosuch"])
    assert r.exit_code == 1
    assert "unknown source 'nosuch'" in r.output and "bayegan sources list" in r.output
    assert "Traceback" not in r.output
