"""Search that finds every spelling of a Persian compound: joined, with ZWNJ, or with a space.

Persian writers join, half-space (ZWNJ) or space the parts of one word alike: کلانشهرها,
کلان‌شهرها and کلان شهرها; می‌رود, میرود and می رود; کتاب‌ها, کتابها and کتاب ها. Folding
(storage.text.fold) already turns ZWNJ into a space, so two spellings remain: joined and spaced.

Index time: besides its words, the full text of an article carries the joined form of each
adjacent word pair (`joined_pairs`), so a joined query word finds spaced text. Query time
(`expand`): each pair of adjacent query words may also match as one joined word, so a spaced
query finds joined text. No list of prefixes or compounds is needed, which is why this covers
mi-/nemi- verbs, -ha/-haye plurals and compounds alike; the cost is a bigger full-text index,
kept down by skipping pairs with a common function word (they are never one word) and numbers.
"""
from __future__ import annotations

import itertools
import re

from storage.query import Term

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Function words that are never part of a compound: pairs with them are not indexed joined.
_NEVER_JOINED = frozenset(
    "و در به از که را با این آن برای تا یا اما بر اگر چه نیز ما او من تو شما آنها ایشان "   # noqa: SIM905
    "است بود شد شده کرد کرده باید دارد داشت خود دیگر همه یک هر چند".split())
# (هم is left out: هم- compounds such as همزمان / هم‌زمان are common)


def _joinable(a: str, b: str) -> bool:
    return not (a in _NEVER_JOINED or b in _NEVER_JOINED or a.isdigit() or b.isdigit()
                or a.isascii() or b.isascii())


def joined_pairs(folded: str) -> list[str]:
    """The joined forms of adjacent word pairs of already-folded text, each once, in order."""
    ws = _WORD.findall(folded)
    seen: dict[str, None] = {}
    for a, b in itertools.pairwise(ws):
        if _joinable(a, b):
            seen.setdefault(a + b, None)
    return list(seen)


def with_joined_pairs(folded: str) -> str:
    """Folded text for the full-text index: the text, then its joined pairs (after a blank line,
    so a phrase query over the text itself is unchanged)."""
    pairs = joined_pairs(folded)
    return f"{folded}\n\n{' '.join(pairs)}" if pairs else folded


def expand(groups: list[list[Term]]) -> list[list[Term]]:
    """Let adjacent single-word query terms also match their joined form.

    `کلان شهرها` is two AND-groups [کلان] [شهرها]; it becomes [کلان | کلانشهرها] AND
    [شهرها | کلانشهرها]: text with both words or with the joined word satisfies both groups.
    A phrase term gains the variants with one pair of its words joined.
    """
    out = [list(alts) for alts in groups]
    for i in range(len(groups) - 1):
        a, b = groups[i], groups[i + 1]
        if len(a) == 1 and len(b) == 1 and _single(a[0]) and _single(b[0]):
            joined = Term((a[0].words[0] + b[0].words[0],), b[0].prefix)
            out[i].append(joined)
            out[i + 1].append(joined)
    for alts in out:
        for t in list(alts):
            if len(t.words) > 1:
                alts.extend(Term((*t.words[:j], t.words[j] + t.words[j + 1], *t.words[j + 2:]), t.prefix)
                            for j in range(len(t.words) - 1))
    return out


def _single(t: Term) -> bool:
    return len(t.words) == 1 and not t.prefix
