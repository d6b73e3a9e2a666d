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
