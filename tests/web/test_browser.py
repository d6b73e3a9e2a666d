"""Real headless browser (Debian's chromium driven by Playwright): search, RTL title, diff,
and no archived script runs. Screenshots go to $BAYEGAN_SCREENSHOTS (default
build/screenshots under the repo, gitignored); the test prints the folder."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BAYEGAN_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("BAYEGAN_SCREENSHOTS", Path(__file__).parents[2] / "build" / "screenshots"))

# Skipped on a developer machine without chromium; never in CI (.ci/run installs it), where it fails.
pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM) and not os.environ.get("CI"),
                                reason=f"no chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def page(served):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SHOTS}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pg = browser.new_page(viewport={"width": 412, "height": 900})     # a phone-sized window
        yield pg
        browser.close()


def test_search_page_finds_the_article(served, page):
    page.goto(served.base + "/")
    page.fill("input[name=q]", "کلانشهرها")
    page.click("button[type=submit]")
    page.wait_for_selector(".hit")
    titles = page.locator(".hit .title").all_inner_texts()
    assert "سفر وزیر به کلان‌شهرها" in titles
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)


def test_article_title_is_rtl(served, page):
    page.goto(f"{served.base}/articles/{served.ids['main']}")
    title = page.locator("#title")
    assert title.inner_text() == "سفر وزیر به کلان‌شهرها"
    assert title.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    page.screenshot(path=str(SHOTS / "article.png"), full_page=True)


def test_versions_page_shows_the_diff(served, page):
    page.goto(f"{served.base}/articles/{served.ids['main']}/versions")
    assert page.locator("ins").first.inner_text() == "دیروز"
    assert page.locator("del").first.inner_text() == "امروز"
    page.screenshot(path=str(SHOTS / "versions.png"), full_page=True)


def test_xss_title_shows_as_text(served, page):
    page.goto(f"{served.base}/articles/{served.ids['xss']}")
    assert page.title() != "pwned"
    assert page.locator("#title").inner_text().startswith("<script>")


def test_archived_script_never_runs(served, page):
    page.goto(f"{served.base}/raw/{served.ids['main']}")
    assert page.locator("#h").inner_text() == "خبر"          # the inline script would set "SCRIPT RAN"
    page.screenshot(path=str(SHOTS / "raw.png"))


def test_sources_and_changes_pages(served, page):
    page.goto(served.base + "/sources")
    assert page.locator("svg.chart").count() >= 2
    page.screenshot(path=str(SHOTS / "sources.png"), full_page=True)
    page.goto(served.base + "/changes")
    page.screenshot(path=str(SHOTS / "changes.png"), full_page=True)
