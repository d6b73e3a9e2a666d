"""`bayegan parse FILE|URL [--url URL] [--source ID]` as a user runs it."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from tests.parsers.pages import iransamaneh_page
from tests.parsers.pages import seed_body_html as _body_html
from worker.cli import cli


@pytest.fixture(scope="module")
def seed_page(seed_lines) -> bytes:
    return iransamaneh_page(supertitle=seed_lines[0], title=seed_lines[1], lead=seed_lines[2],
                            body_html=_body_html(seed_lines), date="۱ دی ۱۳۹۶ - ۱۹:۲۵")


def run(*args: str):
    return CliRunner().invoke(cli, ["parse", *args])


def test_file_with_url_and_source(corpus: Path):
    truth = json.loads((corpus / "truth/isna/isna-98030903723-khabarkhun.json").read_text(encoding="utf-8"))
    result = run(str(corpus / truth["local_path"]), "--url", truth["url"], "--source", "isna")
    assert result.exit_code == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == truth["title"] and article["source"] == "isna"
    assert article["published"] == truth["published_iso"]
    assert article["parser"]["profile"] == "nastooh"
    assert "\\u06" not in result.stdout  # UTF-8, not ASCII-escaped


def test_source_is_taken_from_the_registry_by_host(corpus: Path):
    truth = json.loads((corpus / "truth/tasnim/tasnim-2015910-khabarkhun.json").read_text(encoding="utf-8"))
    page = str(corpus / truth["local_path"])
    assert json.loads(run(page, "--url", truth["url"]).stdout)["source"] == "tasnim"
    assert json.loads(run(page).stdout)["source"] is None  # a bare file names no agency


@pytest.mark.parametrize("listing", ["mehr/mehr-textonly-listing-2011.html", "tabnak/tabnak-home-2017.html"])
def test_listing_exits_2(corpus: Path, listing: str):
    result = run(str(corpus / "html" / listing))
    assert result.exit_code == 2
    assert "not an article: " in result.stderr
    assert result.stdout == ""


def test_bad_files_get_one_line_errors(tmp_path: Path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.html"
    binary.write_bytes(bytes(range(256)) * 40)
    for path in (tmp_path / "missing.html", empty, binary, tmp_path):
        result = run(str(path))
        assert result.exit_code == 1, path
        assert str(path) in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_real_process_prints_utf8_json_and_no_traceback(tmp_path: Path, seed_page: bytes):
    page = tmp_path / "seed.html"
    page.write_bytes(seed_page)
    ok = subprocess.run([sys.executable, "-m", "worker.cli", "parse", str(page), "--url",
                         "https://www.yjc.ir/fa/news/6412345/x"], capture_output=True, cwd=REPO, timeout=120)
    assert ok.returncode == 0, ok.stderr.decode()
    article = json.loads(ok.stdout.decode("utf-8"))
    assert article["supertitle"] == "وزير امور خارجه روسيه"
    assert "وزير امور خارجه روسيه".encode() in ok.stdout
    missing = subprocess.run([sys.executable, "-m", "worker.cli", "parse", str(tmp_path / "nope.html")],
                             capture_output=True, cwd=REPO, timeout=120)
    assert missing.returncode == 1
    assert b"Traceback" not in missing.stderr and b"nope.html" in missing.stderr


class _Pages(BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}

    def do_GET(self):
        body = self.pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"not found")

    def log_message(self, *args):
        pass


@pytest.fixture()
def server(seed_page: bytes):
    _Pages.pages = {"/fa/news/6412345/x": seed_page}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_argument_is_fetched(server: str, tmp_path: Path, monkeypatch):
    registry = tmp_path / "sources.toml"
    registry.write_text(f"""[[source]]
id = "local"
name_fa = "محلی"
name_en = "Local"
home = "{server}/"
hosts = ["127.0.0.1"]
profile = "iransamaneh"
allow_private = true
""", encoding="utf-8")
    monkeypatch.setenv("BAYEGAN_SOURCES_FILE", str(registry))
    monkeypatch.setenv("BAYEGAN_POLITENESS", "false")
    result = run(f"{server}/fa/news/6412345/x", "--source", "local")
    assert result.exit_code == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "روابط روسيه و انگليس در سطح بسيار پاييني قرار دارد"
    assert article["url"] == f"{server}/fa/news/6412345/x"
    missing = run(f"{server}/fa/news/404", "--source", "local")
    assert missing.exit_code == 1 and "/fa/news/404" in missing.stderr
