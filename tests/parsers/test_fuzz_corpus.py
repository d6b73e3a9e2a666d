"""Mutations of every real corpus page into `parse` (issue 13): an Article or a ParseError, never a crash.

The pages are read from BAYEGAN_CORPUS at test time (never copied). Mutations: stray bytes
(\\xff, \\x93) at random places, cuts at random points (mid-character included), a deep JSON-LD
block, a ZWNJ run and random byte flips. A page with a few bad bytes must still come out as an
Article with a decode warning when the unmutated page does.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from parsers import Article, ParseError, parse

MUTATIONS_PER_PAGE = 12


def corpus_pages(corpus: Path) -> list[Path]:
    pages = sorted((corpus / "html").rglob("*.html"))
    assert pages, f"no pages under {corpus / 'html'}"
    return pages


def mutations(data: bytes, rng: random.Random) -> list[tuple[str, bytes]]:
    out = []
    for _ in range(MUTATIONS_PER_PAGE):
        at = rng.randrange(len(data))
        choice = rng.randrange(5)
        if choice == 0:
            out.append((f"stray \\xff at {at}", data[:at] + b"\xff" + data[at:]))
        elif choice == 1:
            out.append((f"stray \\x93 at {at}", data[:at] + b"\x93" + data[at:]))
        elif choice == 2:
            out.append((f"cut at {at}", data[:at]))
        elif choice == 3:
            flipped = bytearray(data)
            for _ in range(8):
                i = rng.randrange(len(flipped))
                flipped[i] = rng.randrange(256)
            out.append(("8 random byte flips", bytes(flipped)))
        else:
            deep = b"<script type='application/ld+json'>" + b"[" * 1000 + b"]" * 1000 + b"</script>"
            out.append((f"deep JSON-LD + ZWNJ run at {at}", data[:at] + deep + "\u200c".encode() * 5000 + data[at:]))
    return out


def test_mutated_corpus_pages_never_crash(corpus: Path) -> None:
    rng = random.Random(13)
    crashes, kept_with_warning = [], 0
    for path in corpus_pages(corpus):
        data = path.read_bytes()
        url = f"https://www.example.ir/news/{path.stem}"
        for label, mutated in mutations(data, rng):
            try:
                result = parse(mutated, url)
            except ParseError:
                continue
            except Exception as exc:  # the point of the test: report every crash, not the first
                crashes.append(f"{path.name} [{label}]: {type(exc).__name__}: {exc}")
                continue
            assert isinstance(result, Article)
            result.to_json()
            kept_with_warning += bool(result.warnings)
    assert not crashes, "\n".join(crashes)


@pytest.mark.parametrize("bad", [b"\xff", b"\x93"])
def test_one_stray_byte_in_each_corpus_page_keeps_its_article(corpus: Path, bad: bytes) -> None:
    for path in corpus_pages(corpus):
        data = path.read_bytes()
        url = f"https://www.example.ir/news/{path.stem}"
        try:
            clean = parse(data, url)
        except ParseError:
            continue
        middle = data.find(b"</p>", len(data) // 2)
        if middle < 0:
            continue
        mutated = parse(data[:middle] + bad + data[middle:], url)
        assert mutated.title == clean.title, path.name
        assert mutated.warnings, path.name
