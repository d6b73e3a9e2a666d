"""HTML -> Article. Pure functions: bytes + URL in, Article out, no I/O.

Public API (the rest of the project calls only these):
    parse(data, url, *, source=None, content_type=None, fetched_at=None) -> Article
    PARSER_VERSION
    Article and friends (parsers.article), ParseError / NotAnArticle / DecodeError (parsers.errors)
"""
from parsers.article import PARSER_VERSION, Article, Attribution, Block, Capture, Image, Normalized, ParserInfo
from parsers.errors import DecodeError, NotAnArticle, ParseError

__all__ = [
    "PARSER_VERSION",
    "Article",
    "Attribution",
    "Block",
    "Capture",
    "DecodeError",
    "Image",
    "Normalized",
    "NotAnArticle",
    "ParseError",
    "ParserInfo",
    "parse",
]


def parse(data: bytes, url: str, *, source: str | None = None, content_type: str | None = None,
          fetched_at: str | None = None) -> Article:
    """Parse one page. `content_type` is the HTTP Content-Type header (its charset wins)."""
    from parsers.extract import parse_page  # late import keeps `import parsers` cheap

    return parse_page(data, url, source=source, content_type=content_type, fetched_at=fetched_at)
