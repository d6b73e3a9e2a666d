"""parsers.limits.check_markup looks only at long ">"-free runs; it must refuse exactly what a scan
of every long tag in the whole page refuses, with the same count in the message."""
from __future__ import annotations

import random
import re

import pytest

from parsers.errors import ParseError
from parsers.limits import MAX_ATTRIBUTES, _long_runs, check_markup

_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{" + str(MAX_ATTRIBUTES * 3) + ",}")
_ATTRIBUTE = re.compile(r"""[\s"'][^\s=<>"']+\s*=""")


def whole_page_scan(text: str) -> str | None:
    """The check as first written (every long tag of the page): the refusal message, or None."""
    for match in _LONG_TAG.finditer(text):
        end = text.find(">", match.end())
        tag = text[match.start(): end if end >= 0 else len(text)]
        count = sum(1 for _ in _ATTRIBUTE.finditer(tag))
        if count > MAX_ATTRIBUTES:
            return f"a tag with {count} attributes (limit {MAX_ATTRIBUTES}); refused"
    return None


def attrs(n: int, value: str = "x") -> str:
    return " ".join(f"a{i}='{value}'" for i in range(n))


TEXT = "متن خبر، با = و x=y در متن " * 200   # long text runs with many "=" but no tag


@pytest.mark.parametrize(("text", "count"), [
    (f"<p>{TEXT}</p><p {attrs(1001)}>متن</p>", 1001),
    (f"<p {attrs(1000)}>{TEXT}", None),
    (f"<p>{TEXT}<div {attrs(1001)}>{TEXT}</div>", 1001),
    (f"<p>{TEXT}<div {attrs(1200)}", 1200),                     # unclosed: the tag runs to the end
    (f"<p>{'x=' * 5000}</p>", None),                            # many "=" in text, no long tag
    (f"<p {attrs(1200, '>')}>", None),                          # ">" in values: no tag that long
    (f"<p {attrs(600)} <b {attrs(600)}>", 1200),                 # "<" inside: counted to the ">"
    ("<p" + " a=" * 1001 + ">", 1001),                          # the shortest tag over the limit
    ("<p" + " a=" * 1000 + ">", None),
])
def test_refuses_what_a_whole_page_scan_refuses(text: str, count: int | None) -> None:
    expected = None if count is None else f"a tag with {count} attributes (limit {MAX_ATTRIBUTES}); refused"
    assert whole_page_scan(text) == expected
    if expected is None:
        check_markup(text, "page")
    else:
        with pytest.raises(ParseError, match=re.escape(expected)):
            check_markup(text, "page")


def test_random_pages_agree_with_a_whole_page_scan() -> None:
    rng = random.Random(11)
    pieces = [" a=", " a='x'", "='>'", ">", "<p", "<b", "</p>", "x", " ", "==", "متن"]
    for _ in range(300):
        parts = []
        for _ in range(rng.randrange(1, 8)):
            piece = rng.choice(pieces)
            parts.append(piece * (rng.randrange(900, 1400) if piece.startswith((" a", "x", "=")) else 1))
        text = "".join(parts)
        expected = whole_page_scan(text)
        try:
            check_markup(text, "page")
            got = None
        except ParseError as exc:
            got = exc.args[0]
        assert got == expected, text[:200]


def test_long_runs_are_the_maximal_gt_free_stretches() -> None:
    rng = random.Random(5)
    for _ in range(300):
        text = "".join(rng.choice(["a" * rng.randrange(1, 40), ">", ">>"]) for _ in range(rng.randrange(0, 30)))
        length = rng.randrange(1, 60)
        expected = [(m.start(), m.end()) for m in re.finditer(r"[^>]+", text) if m.end() - m.start() >= length]
        assert list(_long_runs(text, length)) == expected, (text, length)
