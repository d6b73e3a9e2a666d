"""Exception hierarchy of the parsing layer (httpx style: one base, specific leaves)."""
from __future__ import annotations


class ParseError(Exception):
    """Base class: the input could not be turned into an Article. `source` names the file or URL."""

    def __init__(self, message: str, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source

    def __str__(self) -> str:  # "file.html: not an article: ..." style messages
        msg = super().__str__()
        return f"{self.source}: {msg}" if self.source else msg


class NotAnArticle(ParseError):
    """A homepage, listing or other page that holds no single article."""


class DecodeError(ParseError):
    """The bytes could not be decoded as text (or were empty)."""
