"""A test mirror of Persian news agencies: generated pages in the real CMS shapes, served on
127.0.0.1 with feeds, sitemaps, listings, Jalali archives and injected faults.

    generate_article(n, family, *, size_kb=None, ...) -> (html bytes, url_path, truth)
    with MirrorServer(agencies=("isna", "yjc", "tasnim", "bbcpersian"), articles=20) as mirror: ...
    python -m worker.testing.mirror --articles 50        (the demo: serve until Ctrl-C)
"""
from .faults import FAULTS, FEED_FAULTS, Fault
from .server import DEFAULT_AGENCIES, MirrorArticle, MirrorServer, RequestRecord
from .sitegen import generate_article, generate_listing

__all__ = [
           "DEFAULT_AGENCIES",
           "FAULTS",
           "FEED_FAULTS",
           "Fault",
           "MirrorArticle",
           "MirrorServer",
           "RequestRecord",
           "generate_article",
           "generate_listing",
]
