"""Issue #8: one home per concept. Each test drives the shared helper through every caller, so a
caller that grows its own copy again (and drifts) fails here."""
from __future__ import annotations

import pytest

from parsers.profiles import load_profiles
from parsers.urls import UrlRule, host_matches
from worker.sources import host_allowed


@pytest.mark.parametrize(("host", "subdomains", "expected"), [
    ("tasnimnews.com", True, True), ("www.tasnimnews.com", True, True), ("WWW.TasnimNews.com.", True, True),
    ("evil-tasnimnews.com", True, False), ("tasnimnews.com.evil.ir", True, False),
    ("www.tasnimnews.com", False, False), ("tasnimnews.com", False, True),
])
def test_host_matches(host, subdomains, expected):
    assert host_matches(host, ("tasnimnews.com",), subdomains=subdomains) is expected


def test_every_host_test_is_the_shared_one():
    rule = UrlRule(source="x", hosts=("isna.ir",), canonical_host="www.isna.ir", scheme="https", ids=())
    assert rule.owns_host("m.isna.ir") and not rule.owns_host("notisna.ir")
    # The registry: a plain entry is exact, a leading dot admits subdomains and the bare host.
    assert host_allowed("www.isna.ir", ["www.isna.ir"]) and not host_allowed("m.isna.ir", ["www.isna.ir"])
    assert host_allowed("m.isna.ir", [".isna.ir"]) and host_allowed("ISNA.ir.", [".isna.ir"])
    assert not host_allowed("xisna.ir", [".isna.ir"])
    # Profile host overrides go through the same function.
    profile = next((p for p in load_profiles().values() if p.hosts), None)
    if profile is not None:
        host = profile.hosts[0]
        assert host_matches("sub." + host, profile.hosts) and not host_matches("x" + host, profile.hosts)


def test_one_spelling_of_a_utc_moment():
    from datetime import UTC, datetime, timedelta, timezone

    from storage.changes import time_bound
    from storage.records import iso_utc, utc_now_iso
    from storage.warc import warc_date

    tehran = datetime(2024, 3, 20, 12, 30, 5, 250, tzinfo=timezone(timedelta(hours=3, minutes=30)))
    assert iso_utc(tehran) == "2024-03-20T09:00:05.000250Z"
    assert iso_utc(tehran.astimezone(UTC).replace(tzinfo=None)) == iso_utc(tehran)   # naive means UTC
    # The WARC-Date of a fetch and the --since bound of `changes` are the index's spelling too.
    assert warc_date("2024-03-20T12:30:05.000250+03:30") == time_bound(tehran) == iso_utc(tehran)
    assert warc_date("2024-03-20T09:00:05.000250") == iso_utc(tehran)
    now = utc_now_iso(zulu=True)
    assert now.endswith("Z") and datetime.fromisoformat(now.replace("Z", "+00:00")).tzinfo is not None


def test_pipeline_stages_use_typed_attributes():
    # Typed seams (mypy checks them): probing the project's own objects with getattr hides renames.
    from pathlib import Path

    import worker.pipeline

    for path in Path(worker.pipeline.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "getattr(result" not in text and "getattr(link" not in text and "getattr(capture" not in text, path


def test_change_kinds_have_one_persian_table():
    from pathlib import Path

    import worker.web
    from storage.changes import ChangeKind
    from worker.web.persian import CHANGE_KIND_FA, change_kind

    assert set(CHANGE_KIND_FA) == {k.value for k in ChangeKind}   # a new kind needs its Persian name
    assert change_kind(ChangeKind.REMOVED) == "حذف" and change_kind("unknown") == "unknown"
    templates = Path(worker.web.__file__).parent / "templates"
    assert not [p.name for p in templates.glob("*.html") if '"edited":' in p.read_text(encoding="utf-8")]
