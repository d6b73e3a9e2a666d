"""`celery` with one page made to crash the parser: the real worker, the real parser for every other page.

Started as `python hooked_celery.py -A worker.daemon.app worker ...` by the integration tests.
BAYEGAN_TEST_EXPLODE names a URL fragment; parsing a page whose URL contains it raises the
kind of unexpected exception a parser bug would (not a ParseError), before the real parser runs.
Installed before Celery forks its pool, so every child inherits it.
"""
from __future__ import annotations

import os
import sys

from worker.pipeline import pages

_real_parse = pages.parse_page


def _exploding_parse(data: bytes, url: str, **kwargs):  # type: ignore[no-untyped-def]
    marker = os.environ.get("BAYEGAN_TEST_EXPLODE")
    if marker and marker in url:
        raise ZeroDivisionError(f"simulated parser bug on {url}")
    return _real_parse(data, url, **kwargs)


pages.parse_page = _exploding_parse

if __name__ == "__main__":
    from celery.__main__ import main

    sys.argv[0] = "celery"
    sys.exit(main())
