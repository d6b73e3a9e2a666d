"""Synthetic archive generator: varied Persian news articles with planted exact and near duplicates.

Text comes from a word-bigram model trained on the real Persian text at hand (the seed article,
the corpus pages and truth files, read in place, never copied), with random jumps so articles vary.
Planted duplicates (the ground truth for dedup precision/recall):
  - exact: the same title + text as an earlier article under another agency's URL (-> alias);
  - near:  an earlier article with ~2% of its words replaced and sometimes a short sentence added
           (-> same cluster); truth carries the true Jaccard of their word 3-shingles.
Deterministic for a given seed.

    python bench/gen_archive.py --articles 1000 --out /tmp/synthetic.jsonl
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = ["isna", "yjc", "tasnim", "mehr", "tabnak", "irna", "fars", "bbcpersian"]
FALLBACK = ("دولت مجلس وزیر خارجه روسیه ایران تهران اقتصاد بازار نفت گاز بورس سازمان ملل امنیت شورای "
            "انتخابات ریاست جمهوری نماینده کمیسیون بودجه تورم بانک مرکزی ارز دلار طلا سکه خودرو")


def _corpus_texts() -> list[str]:
    base = Path(os.environ.get("BAYEGAN_CORPUS", REPO.parent / "shared" / "corpus"))
    texts = []
    for p in sorted((base / "truth").rglob("*.json")) if (base / "truth").is_dir() else []:
        try:
            d = json.loads(p.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        texts += [str(d.get(k) or "") for k in ("title", "lead", "body_first_sentence", "body_last_sentence")]
    for p in sorted((base / "html").rglob("*.htm*")) if (base / "html").is_dir() else []:
        raw = p.read_bytes()
        for enc in ("utf-8", "windows-1256"):
            try:
                html = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            continue
        html = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", html)
        texts.append(re.sub(r"<[^>]+>", " ", html))          # crude on purpose: only word statistics
    seed = base.parent / "seed"
    for p in sorted(seed.glob("*.txt")) if seed.is_dir() else []:
        texts.append(p.read_text("utf-8"))
    return texts or [FALLBACK]


class Model:
    def __init__(self, texts: list[str]) -> None:
        self.next: dict[str, list[str]] = defaultdict(list)
        vocab = []
        for t in texts:
            ws = re.findall(r"[\u0600-\u06FF\u200c]+|\d+", t)
            vocab += ws
            for a, b in zip(ws, ws[1:]):
                self.next[a].append(b)
        self.vocab = sorted(set(vocab))
        self.starts = [w for w in self.vocab if len(w) > 2]

    def sentence(self, rnd: random.Random, n: int) -> str:
        w = rnd.choice(self.starts)
        out = [w]
        for _ in range(n - 1):
            succ = self.next.get(w)
            w = rnd.choice(succ) if succ and rnd.random() < 0.6 else rnd.choice(self.vocab)
            out.append(w)
        return " ".join(out) + "."


def _article(model: Model, rnd: random.Random, i: int) -> dict:
    paragraphs = [" ".join(model.sentence(rnd, rnd.randint(8, 22)) for _ in range(rnd.randint(1, 3)))
                  for _ in range(rnd.randint(2, 5))]
    return {"title": model.sentence(rnd, rnd.randint(5, 11))[:-1], "lead": model.sentence(rnd, rnd.randint(10, 20)),
            "paragraphs": paragraphs}


def generate(n: int, seed: int = 1, exact_share: float = 0.02, near_share: float = 0.03,
             start: int = 0) -> Iterator[dict]:
    """Yield n article dicts: url, source, title, lead, paragraphs, published, truth {kind, of}."""
    model = Model(_corpus_texts())
    rnd = random.Random(seed)
    recent: list[tuple[int, dict]] = []        # a window of originals that duplicates copy from
    for i in range(start, start + n):
        roll = rnd.random()
        day = 1 + (i * 7 // 10000) % 28
        month = 1 + (i // 280000) % 12
        published = f"2023-{month:02d}-{day:02d}T{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00+03:30"
        source = SOURCES[rnd.randrange(len(SOURCES))]
        url = f"https://www.{source}.example/news/{i}/"
        if recent and roll < exact_share:
            of, orig = recent[rnd.randrange(len(recent))]
            body = dict(orig)
            truth = {"kind": "exact", "of": of}
        elif recent and roll < exact_share + near_share:
            of, orig = recent[rnd.randrange(len(recent))]
            paragraphs = []
            for p in orig["paragraphs"]:
                ws = p.split(" ")
                for _ in range(len(ws) // 50):                 # ~2% of the words replaced
                    ws[rnd.randrange(len(ws))] = rnd.choice(model.vocab)
                paragraphs.append(" ".join(ws))
            if rnd.random() < 0.5:
                paragraphs.append(model.sentence(rnd, 6))          # a short sentence of their own
            else:
                ws = paragraphs[0].split(" ")
                ws[rnd.randrange(len(ws))] = rnd.choice(model.vocab)
                paragraphs[0] = " ".join(ws)
            body = {**orig, "paragraphs": paragraphs}
            truth = {"kind": "near", "of": of, "jaccard": _jaccard(orig["paragraphs"], paragraphs)}
        else:
            body = _article(model, rnd, i)
            truth = {"kind": "original", "of": None}
            recent.append((i, body))
            if len(recent) > 2000:
                recent.pop(rnd.randrange(len(recent)))
        yield {"n": i, "url": url, "source": source, "published": published, **body, "truth": truth}


def _jaccard(a: list[str], b: list[str]) -> float:
    from storage.text import shingles

    sa, sb = shingles("\n\n".join(a)), shingles("\n\n".join(b))
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def to_article(d: dict):
    """Build the Article the parser would produce (normalized == as published for synthetic text)."""
    from parsers.article import Article, Block, Normalized, ParserInfo, article_id, content_hash

    text = "\n\n".join(d["paragraphs"])
    return Article(id=article_id(d["url"]), source=d["source"], url=d["url"], canonical_url=d["url"],
                   title=d["title"], lead=d["lead"], body=[Block("paragraph", p) for p in d["paragraphs"]],
                   text=text, published=d["published"], published_raw=d["published"],
                   normalized=Normalized(title=d["title"], lead=d["lead"], text=text),
                   content_hash=content_hash(d["title"], text), parser=ParserInfo("synthetic", "1"),
                   fetched_at=d["published"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-")
    args = ap.parse_args()
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    for d in generate(args.articles, args.seed):
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
