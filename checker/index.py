"""Which canonical article does this page carry? Candidates from a corpus index, before the full check.

Pages found by crawling a partner's site do not say which canonical article they republish, and
the full check (alignment, diff) is far too slow to try against every article of a corpus of
100,000. :class:`CandidateIndex` narrows it down to a few candidate ids per page, and says "none"
for pages that carry no indexed article (home pages, tag pages, the partner's own stories), which
are then skipped cheaply.

How it works
------------

* An article's text is title, lead and body; its words are the keys of
  :func:`checker.normalize.keys`, so the benign CMS rewrites (typography, Unicode forms, soft
  hyphens) never hide a republication, and scripts written without spaces (Chinese, Japanese,
  Thai ...) give one key per character: the method works for any script.
* Its *shingles* are the runs of :data:`SHINGLE_SIZE` consecutive keys, each hashed to a 64-bit
  integer with BLAKE2b (stable across processes and machines, unlike ``hash()``).
* The article keeps a bottom-k sample: its :data:`SAMPLE_SIZE` smallest shingle hashes (all of
  them when it has fewer). Because the hash is uniform, the sample is a random sample of the
  article's shingles, the same one whatever page it is compared with (Broder's bottom-k sketch).
* An inverted index maps each sampled hash to the articles holding it. A page's shingles are
  hashed and looked up; an article's *score* is the share of its sample found on the page, an
  unbiased estimate of how much of the article the page contains, whatever else the page holds.

A page carries an article when its score reaches :data:`MIN_SCORE` (0.2) with at least
:data:`MIN_MATCHED` sampled shingles. Why a fifth: a truncated republication (title, lead and the
first paragraph, then "read more") still shares roughly a fifth to a third of its article's
shingles, and a cut or altered paragraph costs only the shingles it touches; the partner's chrome
(menus, teasers, footers) and unrelated articles share next to none, since five words in a row
are almost never common to two different texts. With 64 samples the estimate's standard error
is at most 0.06, so a page holding the whole article (score near 1) or none of it (near 0) is
never on the wrong side of 0.2.

Memory and the file format
--------------------------

Each sampled hash is stored as one 64-bit integer: its top :data:`KEY_BITS` bits, then the article
number in the low :data:`ID_BITS` bits, in sorted ``array('Q')`` buckets (no per-entry Python
objects: 100,000 articles x 64 samples take about 51 MB). A page of 2,000 shingles meets a stray
40-bit collision about once in a hundred pages, one sample of one article: far below
:data:`MIN_MATCHED`.

:meth:`CandidateIndex.save` writes a binary file: a magic string, a length-prefixed JSON header
(parameters, article ids, sample sizes, bucket lengths, a BLAKE2b checksum of the payload) and the
buckets as little-endian unsigned 64-bit integers. No pickle: loading an index never runs code.
The file is written to a temporary file beside the target and moved into place with
:func:`os.replace`, so a reader never sees half an index. :meth:`CandidateIndex.load` checks all
of it and raises :class:`~checker.errors.ConfigError` naming the file when anything is off.

Example::

    index = CandidateIndex.from_articles(load_canonical(p) for p in paths)
    index.save("corpus.rcidx")
    for cand in CandidateIndex.load("corpus.rcidx").candidates(page_text):
        print(cand.article_id, cand.score)
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from checker import settings
from checker.errors import ConfigError
from checker.models import Article, ExtractedPage
from checker.normalize import keys

# --- defaults (checker/settings.py holds them with their reasons) ------------------------------
SHINGLE_SIZE: Final = settings.INDEX_SHINGLE_SIZE
SAMPLE_SIZE: Final = settings.INDEX_SAMPLE_SIZE
MIN_SCORE: Final = settings.INDEX_MIN_SCORE
MIN_MATCHED: Final = settings.INDEX_MIN_MATCHED
CANDIDATE_LIMIT: Final = settings.INDEX_CANDIDATE_LIMIT

# --- layout of the index (part of the file format: changing one needs a new FORMAT_VERSION) ----
#: Low bits of a stored entry holding the article number: at most 16,777,216 articles per index.
ID_BITS: Final = 24
#: High bits of a shingle hash kept in the index.
KEY_BITS: Final = 64 - ID_BITS
#: Buckets are chosen by the low bits of the kept hash; each is a sorted array.
BUCKET_BITS: Final = 12
#: Version of the file format written by :meth:`CandidateIndex.save`.
FORMAT_VERSION: Final = 1
#: How shingles are hashed; stored in the file so an index made otherwise is refused.
HASH_NAME: Final = "blake2b-64:utf-8:keys-joined-by-US"

_MAGIC: Final = b"RCINDEX\x00"
_PREFIX: Final = struct.Struct("<8sQ")  # magic, header length
_ID_MASK: Final = (1 << ID_BITS) - 1
_BUCKET_MASK: Final = (1 << BUCKET_BITS) - 1
_MAX_ARTICLES: Final = 1 << ID_BITS
_SEP: Final = "\x1f"  # ASCII unit separator: never part of a key (keys are letters, digits and marks)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An article a page may carry.

    ``score`` is the share (0-1) of the article's sampled shingles found on the page, ``matched``
    how many were found.
    """

    article_id: str
    score: float
    matched: int


def article_text(article: Article) -> str:
    """The text an article is indexed by: title, lead and body paragraphs, one per line."""
    return "\n".join([article.title, article.lead or "", *article.body])


def visible_text(page: ExtractedPage) -> str:
    """A page's visible text as :meth:`CandidateIndex.candidates` expects it: its blocks, one per line."""
    return "\n".join(block.text for block in page.blocks)


def shingle_keys(text: str, shingle_size: int = SHINGLE_SIZE) -> set[int]:
    """The distinct indexed keys (top :data:`KEY_BITS` bits of the 64-bit hash) of *text*'s shingles.

    A text shorter than one shingle has none: a handful of words never identifies an article.
    """
    words = keys(text)
    blake2b = hashlib.blake2b
    shift = ID_BITS
    return {
        int.from_bytes(blake2b(_SEP.join(words[i : i + shingle_size]).encode(), digest_size=8).digest(), "big") >> shift
        for i in range(len(words) - shingle_size + 1)
    }


class CandidateIndex:
    """An inverted index of bottom-k shingle samples: canonical articles a page may carry.

    Add articles with :meth:`add` (or build at once with :meth:`from_articles`), then ask
    :meth:`candidates` for a page's visible text. :meth:`build` sorts what was added since the last
    build; :meth:`candidates` calls it when needed, so adding after a lookup is fine.
    """

    def __init__(self, *, shingle_size: int = SHINGLE_SIZE, sample_size: int = SAMPLE_SIZE) -> None:
        """An empty index; *shingle_size* and *sample_size* are saved with it."""
        if shingle_size < 1 or sample_size < 1:
            raise ConfigError(
                f"index error: shingle_size and sample_size must be >= 1 (got {shingle_size}, {sample_size})"
            )
        self.shingle_size = shingle_size
        self.sample_size = sample_size
        self._ids: list[str] = []
        self._numbers: dict[str, int] = {}
        self._sizes = array("I")  # sample size per article number
        self._buckets: list[array[int]] = [array("Q") for _ in range(1 << BUCKET_BITS)]
        self._dirty: set[int] = set()

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def from_articles(cls, articles: Iterable[Article], **options: int) -> CandidateIndex:
        """An index of *articles*, built and ready for lookups (*options*: see :meth:`__init__`)."""
        index = cls(**options)
        for article in articles:
            index.add(article)
        index.build()
        return index

    def add(self, article: Article) -> None:
        """Index *article*; an article too short for one shingle is counted but never a candidate.

        Raises :class:`ConfigError` when its id is already indexed or the index is full.
        """
        if article.id in self._numbers:
            raise ConfigError(f"index error: article id {article.id!r} is indexed twice")
        number = len(self._ids)
        if number >= _MAX_ARTICLES:
            raise ConfigError(f"index error: an index holds at most {_MAX_ARTICLES} articles")
        sample = sorted(shingle_keys(article_text(article), self.shingle_size))[: self.sample_size]
        self._ids.append(article.id)
        self._numbers[article.id] = number
        self._sizes.append(len(sample))
        buckets, dirty = self._buckets, self._dirty
        for key in sample:
            b = key & _BUCKET_MASK
            buckets[b].append(key << ID_BITS | number)
            dirty.add(b)

    def build(self) -> None:
        """Sort the buckets changed since the last build (lookups need them sorted)."""
        for b in self._dirty:
            self._buckets[b] = array("Q", sorted(self._buckets[b]))
        self._dirty.clear()

    def __len__(self) -> int:
        """Number of articles indexed."""
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        """Whether an article of that id is indexed."""
        return article_id in self._numbers

    # --- lookup -----------------------------------------------------------------------------

    def candidates(self, page_text: str, limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
        """The articles *page_text* may carry, best first, at most *limit*; empty when none qualifies.

        *page_text* is the page's visible text (see :func:`visible_text`); chrome around the
        article does not lower an article's score.
        """
        if self._dirty:
            self.build()
        counts: dict[int, int] = {}
        buckets = self._buckets
        for key in shingle_keys(page_text, self.shingle_size):
            bucket = buckets[key & _BUCKET_MASK]
            if not bucket:
                continue
            low = key << ID_BITS
            i = bisect_left(bucket, low)
            end = len(bucket)
            while i < end and bucket[i] >> ID_BITS == key:
                number = bucket[i] & _ID_MASK
                counts[number] = counts.get(number, 0) + 1
                i += 1
        sizes, ids = self._sizes, self._ids
        found = []
        for number, matched in counts.items():
            size = sizes[number]
            score = matched / size
            if score >= MIN_SCORE and matched >= min(MIN_MATCHED, size):
                found.append(Candidate(ids[number], score, matched))
        found.sort(key=lambda c: (-c.score, -c.matched, c.article_id))
        return found[: max(limit, 0)]

    # --- files ------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index to *path* atomically (a temporary file, then :func:`os.replace`)."""
        self.build()
        target = Path(path)
        payload = [_little_endian(b) for b in self._buckets]
        digest = hashlib.blake2b(digest_size=16)
        for chunk in payload:
            digest.update(chunk)
        header = json.dumps(
            {
                "format": FORMAT_VERSION,
                "hash": HASH_NAME,
                "id_bits": ID_BITS,
                "bucket_bits": BUCKET_BITS,
                "shingle_size": self.shingle_size,
                "sample_size": self.sample_size,
                "ids": self._ids,
                "sizes": self._sizes.tolist(),
                "bucket_lengths": [len(b) for b in self._buckets],
                "checksum": digest.hexdigest(),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_PREFIX.pack(_MAGIC, len(header)))
                out.write(header)
                for chunk in payload:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CandidateIndex:
        """Read an index written by :meth:`save`.

        Raises :class:`ConfigError` naming *path* when the file is missing, unreadable, not an
        index, of another format version, truncated or corrupted.
        """
        where = os.fspath(path)

        def fail(why: str) -> ConfigError:
            return ConfigError(f"index error: {where}: {why}")

        try:
            raw = Path(where).read_bytes()
        except FileNotFoundError:
            raise fail("no such file") from None
        except OSError as exc:
            raise fail(f"cannot read ({exc.strerror})") from None
        if len(raw) < _PREFIX.size or raw[: len(_MAGIC)] != _MAGIC:
            raise fail("not a repcheck candidate index")
        _, header_len = _PREFIX.unpack_from(raw)
        start = _PREFIX.size + header_len
        if start > len(raw):
            raise fail("truncated (header)")
        try:
            header = json.loads(raw[_PREFIX.size : start].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise fail(f"corrupted header ({exc})") from None
        _check_header(header, fail)
        lengths: list[int] = header["bucket_lengths"]
        if len(raw) - start != 8 * sum(lengths):
            raise fail(f"truncated or padded payload ({len(raw) - start} bytes, expected {8 * sum(lengths)})")
        if hashlib.blake2b(memoryview(raw)[start:], digest_size=16).hexdigest() != header["checksum"]:
            raise fail("corrupted (checksum mismatch)")
        index = cls(shingle_size=header["shingle_size"], sample_size=header["sample_size"])
        index._ids = header["ids"]
        index._numbers = {article_id: n for n, article_id in enumerate(index._ids)}
        if len(index._numbers) != len(index._ids):
            raise fail("corrupted (duplicate article ids)")
        index._sizes = array("I", header["sizes"])
        offset = start
        for b, length in enumerate(lengths):
            bucket = array("Q")
            bucket.frombytes(raw[offset : offset + 8 * length])
            if sys.byteorder == "big":
                bucket.byteswap()
            index._buckets[b] = bucket
            offset += 8 * length
        return index


def _little_endian(bucket: array[int]) -> bytes:
    if sys.byteorder == "little":
        return bucket.tobytes()
    swapped = array("Q", bucket)
    swapped.byteswap()
    return swapped.tobytes()


def _check_header(header: Any, fail: Callable[[str], ConfigError]) -> None:
    """Refuse a header of another format or layout, or whose fields do not fit together."""
    if not isinstance(header, dict):
        raise fail("corrupted header (not an object)")
    if header.get("format") != FORMAT_VERSION:
        raise fail(f"format version {header.get('format')!r}, this repcheck reads {FORMAT_VERSION}: rebuild the index")
    expected = {"hash": HASH_NAME, "id_bits": ID_BITS, "bucket_bits": BUCKET_BITS}
    for name, value in expected.items():
        if header.get(name) != value:
            raise fail(f"{name} is {header.get(name)!r}, this repcheck uses {value!r}: rebuild the index")
    for name in ("shingle_size", "sample_size"):
        if not isinstance(header.get(name), int) or header[name] < 1:
            raise fail(f"corrupted header ({name})")
    ids, sizes, lengths = header.get("ids"), header.get("sizes"), header.get("bucket_lengths")
    if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
        raise fail("corrupted header (ids)")
    if not isinstance(sizes, list) or len(sizes) != len(ids) or not all(isinstance(x, int) and x >= 0 for x in sizes):
        raise fail("corrupted header (sizes)")
    if not isinstance(lengths, list) or len(lengths) != 1 << BUCKET_BITS:
        raise fail("corrupted header (bucket_lengths)")
    if not all(isinstance(x, int) and x >= 0 for x in lengths):
        raise fail("corrupted header (bucket_lengths)")
    if not isinstance(header.get("checksum"), str):
        raise fail("corrupted header (checksum)")
