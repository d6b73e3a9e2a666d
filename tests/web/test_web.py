"""Every page and API route against a real uvicorn server, with a real HTTP client."""
from __future__ import annotations

import re

from web_helpers import XSS_TITLE, run_server


def test_home_is_persian_rtl_with_shipped_font(served):
    r = served.get("/")
    assert r.status_code == 200
    assert '<html lang="fa" dir="rtl">' in r.text
    css = served.get("/static/style.css").text
    assert "Vazirmatn-Regular.woff2" in css and "http" not in css        # no CDN
    font = served.get("/static/fonts/Vazirmatn-Regular.woff2")
    assert font.status_code == 200 and font.content[:4] == b"wOF2"


def test_search_every_spelling_with_highlight_and_count(served):
    for q in ("کلانشهرها", "کلان‌شهرها", "کلان شهرها"):
        r = served.get("/search", params={"q": q})
        assert r.status_code == 200
        assert f"/articles/{served.ids['main']}" in r.text, q
        assert f"/articles/{served.ids['dup']}" in r.text, q
    r = served.get("/search", params={"q": "وزیر"})
    assert "<mark>وزیر</mark>" in r.text
    assert re.search(r'id="count">[۰-۹]+ نتیجه', r.text)


def test_api_search_fields_and_pagination(served):
    r = served.get("/api/search", params={"q": "پتروشیمی"}).json()
    assert r["total"] == 45
    assert len(r["results"]) == 20
    assert set(r["results"][0]) == {"id", "title", "url", "source", "published", "snippet"}
    page3 = served.get("/api/search", params={"q": "پتروشیمی", "page": 3}).json()["results"]
    assert len(page3) == 5
    all_ids = {h["id"] for p in (1, 2, 3) for h in served.get("/api/search", params={"q": "پتروشیمی", "page": p}).json()["results"]}
    assert len(all_ids) == 45
    html = served.get("/search", params={"q": "پتروشیمی", "page": 2}).text
    assert 'rel="next"' in html and 'rel="prev"' in html
    assert served.get("/api/search", params={"q": "پتروشیمی", "source": "yjc"}).json()["total"] == 23


def test_search_date_filters_jalali_and_gregorian(served):
    assert served.get("/api/search", params={"q": "پتروشیمی", "since": "1402/01/01"}).json()["total"] == 45
    assert served.get("/api/search", params={"q": "پتروشیمی", "since": "1402/01/02"}).json()["total"] == 0
    assert served.get("/api/search", params={"q": "پتروشیمی", "until": "2023-03-21"}).json()["total"] == 45
    bad = served.get("/search", params={"q": "پتروشیمی", "since": "یک روز"})
    assert bad.status_code == 200 and "تاریخ نامعتبر" in bad.text and "Traceback" not in bad.text


def test_article_page(served):
    r = served.get(f"/articles/{served.ids['main']}")
    assert r.status_code == 200
    assert "سفر وزیر به کلان‌شهرها" in r.text
    assert "۱۴۰۲/۰۱/۰۱" in r.text and "2023-03-21" in r.text           # Jalali with Gregorian beside
    assert f"/articles/{served.ids['main']}/versions" in r.text and f"/raw/{served.ids['main']}" in r.text
    assert f"/articles/{served.ids['dup']}" in r.text and "نخستین انتشار" in r.text   # near-duplicate cluster
    norm = served.get(f"/articles/{served.ids['main']}", params={"view": "normalized"})
    assert "<strong>متن یکدست‌شده</strong>" in norm.text


def test_xss_title_is_text_everywhere(served):
    for path in (f"/articles/{served.ids['xss']}", "/search?q=خطرناک"):
        html = served.get(path).text
        assert "<script>document.title" not in html and "<img src=x" not in html
        assert "&lt;script&gt;document.title" in html
    assert served.get(f"/api/articles/{served.ids['xss']}").json()["title"] == XSS_TITLE


def test_versions_page_marks_the_word_diff(served):
    r = served.get(f"/articles/{served.ids['main']}/versions")
    assert r.status_code == 200
    assert "<del>امروز</del>" in r.text and "<ins>دیروز</ins>" in r.text


def test_api_article_has_versions(served):
    j = served.get(f"/api/articles/{served.ids['main']}").json()
    assert j["id"] == served.ids["main"] and [v["version"] for v in j["versions"]] == [1, 2]
    assert j["archive"]["versions"] == 2


def test_bad_and_unknown_ids_are_friendly_404s(served):
    for path in ("/articles/../../etc/passwd", "/articles/zz", "/articles/%3Cscript%3E", "/raw/..%2F..%2Fetc",
                 "/articles/" + "0" * 24, "/no/such/page"):
        r = served.get(path)
        assert r.status_code == 404, path
        assert "Traceback" not in r.text and 'dir="rtl"' in r.text
    assert served.get("/api/articles/zz").json()["error"]


def test_no_write_endpoint(served):
    for method in ("POST", "PUT", "DELETE"):
        assert served.client.request(method, "/search").status_code == 405


def test_raw_is_the_capture_sandboxed(served):
    r = served.get(f"/raw/{served.ids['main']}")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == "sandbox"
    assert b'textContent="SCRIPT RAN"' in r.content and b"<h1 id=\"h\">" in r.content   # exactly as captured
    assert served.get(f"/raw/{served.ids['xss']}").status_code == 404     # no capture: a clear 404


def test_sources_page_and_api(served):
    rows = {s["source"]: s for s in served.get("/api/sources").json()}
    assert set(rows) >= {"isna", "yjc"}
    assert len(rows["isna"]["per_day"]) == 30
    assert rows["yjc"]["errors_by_kind"] == {"http": 1}
    assert rows["yjc"]["latest_failed"][0]["url"] == "https://www.yjc.ir/news/bad/"
    assert rows["tasnim"]["quiet"] and not rows["isna"]["quiet"]
    html = served.get("/sources").text
    assert html.count("⚠ خاموش") == 1
    assert "<svg" in html and "https://www.yjc.ir/news/bad/" in html


def test_changes_page_and_api(served):
    changes = served.get("/api/changes").json()
    assert [c["id"] for c in changes] == [served.ids["main"]]
    assert served.ids["main"] in served.get("/changes").text


def test_missing_archive_names_the_directory(tmp_path):
    where = tmp_path / "nowhere"
    server, thread, base = run_server(where)
    try:
        import httpx
        r = httpx.get(base + "/search?q=x")
        assert r.status_code == 503 and str(where) in r.text and "Traceback" not in r.text
        assert httpx.get(base + "/api/sources").status_code == 503
    finally:
        server.should_exit = True
        thread.join(10)
    assert not where.exists()      # looking never creates an archive
