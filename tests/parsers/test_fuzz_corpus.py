"""Mutations of every real corpus page into `parse` (issue 13): an Article or a ParseError, never a crash.

The pages are read from BAYEGAN_CORPUS at test time (never copied). Every page gets every kind
of mutation (KINDS, in turn, at seeded random places): stray bytes (\\xff, \\x93), cuts at
random points (mid-character included), random byte flips, a deep JSON-LD block with a ZWNJ run,
tag soup, tags nested thousands deep, huge attribute values, text in another encoding or a
conflicting charset declaration, byte order marks, NULs, spliced copies of the page itself and
broken character references. A page with a few bad bytes must still come out as an Article
with a decode warning when the unmutated page does.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import Article, ParseError, parse

PER_KIND = 5           # mutations of each kind per page (14 kinds: 70 per page)
SOUP = [b"<div>", b"</div>", b"<p>", b"</p>", b"<table><tr><td>", b"</td>", b"<li>", b"</ul>", b"<h1>",
        b"</h1>", b"<script>", b"</script>", b"<style>", b"<!--", b"-->", b"<![CDATA[", b"<br/>", b"</html>",
        b"<body>", b"<head>", b"<meta charset=cp1256>", b"<a href='", b"'>", b"<", b">", b"&", b"\xd9"]


def _at(data: bytes, rng: random.Random) -> int:
    return rng.randrange(len(data) + 1)


def _insert(data: bytes, rng: random.Random, piece: bytes) -> bytes:
    at = _at(data, rng)
    return data[:at] + piece + data[at:]


def _flips(data: bytes, rng: random.Random) -> bytes:
    flipped = bytearray(data)
    for _ in range(rng.choice((1, 8, 64))):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    return bytes(flipped)


def _deep_jsonld(data: bytes, rng: random.Random) -> bytes:
    deep = b"<script type='application/ld+json'>" + b"[" * 1000 + b"]" * 1000 + b"</script>"
    return _insert(data, rng, deep + "\u200c".encode() * 5000)


def _soup(data: bytes, rng: random.Random) -> bytes:
    return _insert(data, rng, b"".join(rng.choice(SOUP) for _ in range(rng.randrange(5, 400))))


def _nested(data: bytes, rng: random.Random) -> bytes:
    tag = rng.choice((b"div", b"span", b"p", b"blockquote", b"table"))
    depth = rng.choice((300, 3000, 20000))
    closed = rng.random() < 0.5
    return _insert(data, rng, (b"<" + tag + b">") * depth + b"\xd8\xae"
                   + ((b"</" + tag + b">") * depth if closed else b""))


def _huge_attribute(data: bytes, rng: random.Random) -> bytes:
    value = rng.choice(("\u062e" * 100_000, "x" * 400_000, "&quot;" * 50_000, "\u200c " * 60_000)).encode()
    tag = rng.choice((b"<meta property='og:title' content='%s'>", b"<p class='%s'>text</p>",
                      b"<img src='%s'>", b"<a href='https://www.isna.ir/%s'>a</a>"))
    return _insert(data, rng, tag.replace(b"%s", value))


def _mixed_encoding(data: bytes, rng: random.Random) -> bytes:
    text = "به گزارش خبرگزاری، وزیر امور خارجه گفت «ایران» آماده است ۱۴۰۲/۰۱/۰۱"
    if rng.random() < 0.5:      # a charset declaration that contradicts the bytes
        charset = rng.choice((b"windows-1256", b"utf-16", b"iso-8859-1", b"x-unknown-charset"))
        return data.replace(b"utf-8", charset, 1).replace(b"UTF-8", charset, 1)
    return _insert(data, rng, text.encode(rng.choice(("cp1256", "utf-16-le", "utf-16", "latin-1")),
                                          errors="replace"))


def _bom(data: bytes, rng: random.Random) -> bytes:
    bom = rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
    return bom + data if rng.random() < 0.5 else _insert(data, rng, bom * rng.randrange(1, 4))


def _nuls(data: bytes, rng: random.Random) -> bytes:
    out = data
    for _ in range(rng.randrange(1, 20)):
        out = _insert(out, rng, b"\x00" * rng.choice((1, 2, 1000)))
    return out


def _splice(data: bytes, rng: random.Random) -> bytes:
    a, b = sorted((_at(data, rng), _at(data, rng)))
    return _insert(data, rng, data[a:b][:200_000])


def _references(data: bytes, rng: random.Random) -> bytes:
    refs = [b"&#0;", b"&#xD800;", b"&#99999999999;", b"&#x110000;", b"&zwnj", b"&#", b"&amp", b"&#x6AF;"]
    return _insert(data, rng, b"".join(rng.choice(refs) for _ in range(200)))


Mutation = Callable[[bytes, random.Random], bytes]
KINDS: dict[str, Mutation] = {
    "stray \\xff": lambda d, r: _insert(d, r, b"\xff"),
    "stray \\x93": lambda d, r: _insert(d, r, b"\x93"),
    "cut": lambda d, r: d[:_at(d, r)],
    "byte flips": _flips,
    "deep JSON-LD + ZWNJ run": _deep_jsonld,
    "tag soup": _soup,
    "nested tags": _nested,
    "huge attribute": _huge_attribute,
    "mixed encodings": _mixed_encoding,
    "BOM": _bom,
    "NULs": _nuls,
    "spliced copy": _splice,
    "broken references": _references,
    "two at once": lambda d, r: _nuls(_soup(d[:_at(d, r) or len(d)], r), r),
}


def corpus_pages(corpus: Path) -> list[Path]:
    pages = sorted((corpus / "html").rglob("*.html"))
    assert pages, f"no pages under {corpus / 'html'}"
    return pages


def mutations(data: bytes, rng: random.Random) -> list[tuple[str, bytes]]:
    return [(f"{name} #{i}", fn(data, rng)) for i in range(PER_KIND) for name, fn in KINDS.items()]


def test_mutated_corpus_pages_never_crash(corpus: Path) -> None:
    rng = random.Random(13)
    crashes, kept_with_warning, tried = [], 0, 0
    for path in corpus_pages(corpus):
        data = path.read_bytes()
        url = f"https://www.example.ir/news/{path.stem}"
        for label, mutated in mutations(data, rng):
            tried += 1
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
    assert tried == len(corpus_pages(corpus)) * PER_KIND * len(KINDS)


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
