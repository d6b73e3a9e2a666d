"""MinHash signatures and LSH band keys.

datasketch computes the signatures; its MinHashLSH is deliberately NOT used because it keeps
every band table in the memory of one process (the scrapy-redis issue #144 problem). The band
keys computed here are stored in the index (bucket -> article), so every worker process and
machine shares them and memory stays bounded.
"""
from __future__ import annotations

import functools
import hashlib
import struct
import zlib
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

DEFAULT_NUM_PERM = 128
SEED = 1


@dataclass(frozen=True, slots=True)
class LshParams:
    num_perm: int
    bands: int
    rows: int

    @classmethod
    def for_threshold(cls, threshold: float, num_perm: int = DEFAULT_NUM_PERM) -> LshParams:
        # Weighted towards recall (false positive 0.1, false negative 0.9): every LSH candidate
        # is checked against its stored signature, so a false positive costs one comparison,
        # while a false negative is a missed duplicate. 128 perms at 0.8 -> 14 bands x 9 rows.
        # MinHashLSH's public b/r are its optimal banding for these weights; the empty in-memory
        # index built for them costs microseconds.
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.1, 0.9))
        return cls(num_perm, lsh.b, lsh.r)


def _crc32(data: bytes) -> int:
    # 32-bit shingle hash in C: MinHash needs a well-mixed hash, not a cryptographic one, and
    # datasketch's default sha1 per shingle was the largest cost of storing an article.
    return zlib.crc32(data)


@functools.cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    # datasketch draws the permutations from the seed on every MinHash(); draw them once.
    return MinHash(num_perm=num_perm, seed=SEED, scheme="affine32").permutations


def signature(shingles: set[str], num_perm: int = DEFAULT_NUM_PERM) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=SEED, hashfunc=_crc32, permutations=_permutations(num_perm),
                scheme="affine32")
    if shingles:
        m.update_batch([s.encode("utf-8") for s in shingles])
    return m.hashvalues.astype(np.uint32)


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<u4")


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) != len(b) or len(a) == 0:
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(sig: np.ndarray, params: LshParams) -> list[int]:
    """One signed 64-bit key per band (band number mixed in, so bands never collide)."""
    raw = sig.astype("<u4")
    keys = []
    for b in range(params.bands):
        chunk = raw[b * params.rows:(b + 1) * params.rows].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8, person=struct.pack("<I", b) + b"lsh").digest()
        keys.append(struct.unpack("<q", digest)[0])
    return keys
