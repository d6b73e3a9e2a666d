"""Typed body blocks and small field helpers over the cleaned article region (parsers.clean).

Blocks: paragraph / heading / quote / list_item / caption, in reading order. Text is the
as-published form: markup stripped, entities decoded, whitespace collapsed, nothing else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from parsers.article import Block, Image
from parsers.folding import DIGITS_TABLE
from parsers.generic import squash

_BR = "\u2028"  # stands for <br> while text is gathered; \s does not need to see it as a break
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre",
               "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "figure",
               "figcaption", "table", "thead", "tbody", "tr", "td", "th", "center", "address", "hr"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BOLD = {"strong", "b"}
_SENTENCE_END = (".", "!", "؟", "?", "…", "»", ":", "：", "؛", "،")
_MAX_HEADING = 150
_SPACE = re.compile(r"\s")
_BREAKS = re.compile(f"{_BR}(?:\\s*{_BR})*")
_DOUBLE_BREAKS = re.compile(f"{_BR}\\s*{_BR}(?:\\s*{_BR})*")
_DIGITS = DIGITS_TABLE


@dataclass(slots=True)
class BodyParts:
    blocks: list[Block] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)


class _Walker:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.parts = BodyParts()
        self._buffer: list[str] = []
        self._bold_chars = 0

    # -- inline text ---------------------------------------------------------------------------
    def _flush(self, kind: str = "paragraph", split_single_breaks: bool = True) -> None:
        raw = "".join(self._buffer)
        bold = self._bold_chars
        self._buffer, self._bold_chars = [], 0
        if not raw.strip():
            return
        # A single <br> inside a <p> is a line break within one paragraph (the seed's attribution
        # line spans one); two or more, or breaks in bare <div> text, separate paragraphs.
        if _BR in raw:
            pattern = _BREAKS if split_single_breaks else _DOUBLE_BREAKS
            pieces = [p for p in (squash(p.replace(_BR, " ")) for p in pattern.split(raw)) if p]
        else:   # most blocks: no <br> to split at
            pieces = [squash(raw)]
        for text in pieces:
            block_kind = kind
            if (kind == "paragraph" and len(pieces) == 1 and bold >= len(text.replace(" ", "")) * 0.9
                    and len(text) <= _MAX_HEADING and not text.endswith(_SENTENCE_END)):
                block_kind = "heading"  # a wholly bold short line is how these CMSs write subheadings
            self.parts.blocks.append(Block(type=block_kind, text=text))

    def _text(self, text: str | None, bold: bool) -> None:
        if text:
            self._buffer.append(text)
            if bold:
                self._bold_chars += len(_SPACE.sub("", text))

    def _inline(self, node: HtmlElement, bold: bool) -> None:
        self._text(node.text, bold)
        for child in node:
            name = child.tag
            if not isinstance(name, str):
                pass  # a comment or processing instruction: no text of its own, only its tail
            elif name == "br":
                self._buffer.append(_BR)
            elif name == "img":
                self._image(child, "")
            elif name in _BLOCK_TAGS:
                self._block(child)
            else:
                self._inline(child, bold or name in _BOLD)
            self._text(child.tail, bold)  # text after a child belongs to this node

    # -- blocks --------------------------------------------------------------------------------
    def _block(self, tag: HtmlElement) -> None:
        name = tag.tag
        if name == "hr":
            self._flush()
            return
        if name in _HEADINGS:
            self._flush()
            self._inline(tag, True)
            self._buffer = [b.replace(_BR, " ") for b in self._buffer]
            self._flush("heading")
        elif name in ("blockquote", "li", "figcaption", "dt", "dd"):
            self._flush()
            kind = {"blockquote": "quote", "figcaption": "caption"}.get(name, "list_item")
            if name == "blockquote" and next(tag.iterdescendants("p", "div"), None) is not None:
                for child in [c for c in tag if c.tag in ("p", "div")] or [tag]:
                    self._inline(child, False)
                    self._flush(kind, split_single_breaks=False)
            else:
                self._inline(tag, False)
                self._flush(kind, split_single_breaks=False)
        elif name == "figure":
            self._flush()
            caption = next(tag.iterdescendants("figcaption"), None)
            caption_text = squash(" ".join(caption.itertext())) if caption is not None else ""
            for img in tag.iterdescendants("img"):
                self._image(img, caption_text)
            if caption_text:
                self.parts.blocks.append(Block(type="caption", text=caption_text))
        elif name == "p":
            self._flush()
            self._inline(tag, False)
            self._flush("paragraph", split_single_breaks=False)
        else:  # div, section, td, ...: may mix bare text (with <br>) and child blocks
            self._flush()
            self._inline(tag, False)
            self._flush("paragraph", split_single_breaks=True)

    def _image(self, img: HtmlElement, caption: str) -> None:
        src = img.get("data-src") or img.get("src") or ""
        if not src.strip() or src.startswith("data:"):
            return
        url = safe_urljoin(self.base_url, src.strip())
        if all(i.url != url for i in self.parts.images):
            self.parts.images.append(Image(url=url, caption=caption))

    def run(self, root: HtmlElement) -> BodyParts:
        self._inline(root, False)
        self._flush("paragraph", split_single_breaks=True)
        return self.parts


def body_parts(root: HtmlElement, base_url: str) -> BodyParts:
    """The blocks and images of a cleaned region (parsers.clean.clean_region), in reading order."""
    return _Walker(base_url).run(root)


def safe_urljoin(base: str, link: str) -> str:
    """urljoin that never raises: a malformed base or link (`https://[::1`) leaves the link as written."""
    try:
        return urljoin(base, link)
    except ValueError:
        return link


def url_parts(url: str) -> tuple[str, str]:
    """(host, path) of a URL, both "" when it cannot be parsed."""
    try:
        parts = urlsplit(url)
        return (parts.hostname or ""), parts.path
    except ValueError:
        return "", ""


def clean_supertitle(text: str | None) -> str | None:
    """Rutitr/kicker as published, minus its trailing «؛» or «:» (the separator before the title)."""
    text = squash(text)
    text = re.sub(r"\s*[؛;:：]+\s*$", "", text)
    return text or None


def ascii_digits(text: str) -> str:
    return text.translate(_DIGITS)


def news_id_from_text(text: str | None) -> str | None:
    """The longest digit run in e.g. «کد خبر: ۶۹۱۹۱۱۹», as ASCII digits."""
    runs = re.findall(r"\d+", ascii_digits(text or ""))
    return max(runs, key=len) if runs else None


_LABEL = re.compile(r"^[^\d:]{1,30}[:：]\s*")


def strip_label(text: str) -> str:
    """«تاریخ انتشار: ۱۲ ارديبهشت ۱۳۹۸ - ۱۶:۱۲» -> the date. A label never holds digits."""
    return _LABEL.sub("", text, count=1)


def dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


_ATTRIBUTION_OPENING = re.compile(r"^\s*به\s+گزارش\b")


def merge_split_attribution(blocks: list[Block]) -> list[Block]:
    """«به گزارش سرويس بين الملل» on its own line, the agency on the next: one sentence, one paragraph."""
    if len(blocks) >= 2 and blocks[0].type == blocks[1].type == "paragraph":
        first = blocks[0].text
        if _ATTRIBUTION_OPENING.match(first) and len(first) < 80 and not re.search(r"[،؛,;:.]", first):
            return [Block("paragraph", f"{first} {blocks[1].text}"), *blocks[2:]]
    return blocks
