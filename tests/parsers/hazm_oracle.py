"""The old, hazm-based normalized layer, for the tests only: the oracle our own code must equal.

`hazm_pass` is a stock `hazm.Normalizer(persian_numbers=False).normalize` (built once, ~3 s);
`oracle_normalize` is parsers.normalize.normalize with that pass in place of parsers.hazm_steps.
Production code never imports hazm.
"""
from __future__ import annotations

import functools
from typing import Any


@functools.cache
def stock_normalizer() -> Any:
    from hazm import Normalizer

    return Normalizer(persian_numbers=False)


def hazm_pass(text: str) -> str:
    return str(stock_normalizer().normalize(text))


def oracle_normalize(text: str | None) -> str:
    from parsers.normalize import _normalize_with

    return _normalize_with(text, hazm_pass)
