"""HTML -> Article. Pure functions: bytes + URL in, Article out, no I/O.

Public API (the rest of the project calls only these):
    parse(data, url, *, source=None, content_type=None, fetched_at=None, profile_hint=None) -> Article
    known_profiles() -> frozenset[str]   the CMS families: one TOML file each in parsers/profiles/
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
    "known_profiles",
    "parse",
]


def parse(data: bytes, url: str, *, source: str | None = None, content_type: str | None = None,
          fetched_at: str | None = None, profile_hint: str | None = None) -> Article:
    """Parse one page. `content_type` is the HTTP Content-Type header (its charset wins).
    `profile_hint`: the family the source registry configures; the page's own evidence still
    decides, the hint breaks ties and rescues pages whose evidence is thin."""
    from parsers.extract import parse_page  # late import keeps `import parsers` cheap

    return parse_page(data, url, source=source, content_type=content_type, fetched_at=fetched_at,
                      profile_hint=profile_hint)


def known_profiles() -> frozenset[str]:
    """Every family a source may name: "generic" plus one per parsers/profiles/*.toml (the file
    name is the profile's name), read from the directory so a new family is one dropped file."""
    from pathlib import Path

    return frozenset({"generic", *(p.stem for p in (Path(__file__).parent / "profiles").glob("*.toml"))})
