"""Where is the article on the page, and which page word is which canonical word.

Three steps, all on normalised word keys (see ``normalize.py``):

1. **Locate** the article body. Every page word covered by a 3-word shingle of the canonical text
   is a hit; blocks with hits form clusters (a gap of more than ``CLUSTER_GAP_WORDS`` unmatched
   words starts a new cluster). The cluster covering the most canonical words is the article; a
   neighbouring cluster joins it only if it brings canonical words not yet covered, so a sidebar
   teaser that repeats the title and lead stays outside while a body split by an inline box stays
   whole. This is alignment against the canonical text, not generic boilerplate removal, and works
   the same in every script.
2. **Fields.** Title, byline, captions and credits are found by similarity in the blocks around the
   body and *claimed*, so their words are not mistaken for added text.
3. **Words.** The canonical lead and body are aligned word by word against the unclaimed words of
   the span with rapidfuzz's Indel (longest common subsequence) opcodes. Word keys are mapped to
   single code points so the C++ implementation runs on whole words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from checker import settings
from checker.errors import ArticleNotFoundError
from checker.models import Article, Element, ExtractedPage
from checker.normalize import Token, tokenize


class CanonToken(NamedTuple):
    """A word of the canonical lead or body, with its place in the article."""

    key: str
    field: str  # "lead" or "body"
    para: int  # index in Article.body; -1 for the lead
    start: int
    end: int


class PageToken(NamedTuple):
    """A word of the page: which block, and where in the block's text."""

    key: str
    block: int
    start: int
    end: int


class Opcode(NamedTuple):
    """One step of the word alignment: canonical ``[c0, c1)`` against partner ``[p0, p1)``."""

    tag: str  # "equal", "delete" (canonical only) or "insert" (partner only)
    c0: int
    c1: int
    p0: int
    p1: int


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """Where a short canonical field (title, byline, caption, credit) was found.

    ``similarity`` is 1.0 for an exact (normalised) match and 0.0 when nothing was found; ``block``
    and ``text`` say where and what, ``index`` which image a caption or credit belongs to.
    """

    field: str
    canonical: str
    similarity: float
    block: int | None
    text: str
    index: int | None = None


@dataclass(frozen=True, slots=True)
class ImageMatch:
    """A canonical image and the partner image element standing for it (None when absent)."""

    index: int
    element: Element | None


@dataclass(frozen=True, slots=True)
class Alignment:
    """The article as located on the page and aligned word by word."""

    article: Article
    page: ExtractedPage
    span: tuple[int, int]  # first and last block of the article body (inclusive)
    region: tuple[int, int]  # blocks searched for title, byline, images, credits
    canon_tokens: tuple[CanonToken, ...]
    page_tokens: tuple[PageToken, ...]  # the unclaimed words of the span, in order
    opcodes: tuple[Opcode, ...]
    fields: tuple[FieldMatch, ...]
    images: tuple[ImageMatch, ...]
    span_elements: tuple[Element, ...]  # non-text elements strictly inside the body span
    coverage: float  # share of canonical words found equal on the page


# --- helpers -------------------------------------------------------------------------------


class _Vocab:
    """Maps word keys to code points so rapidfuzz compares whole words as characters."""

    __slots__ = ("_ids",)

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def encode(self, words: list[str]) -> str:
        ids = self._ids
        out = []
        for w in words:
            c = ids.get(w)
            if c is None:
                # Skip the surrogate range: those code points cannot stand alone in a str.
                n = len(ids) + 0x100
                if n >= 0xD800:
                    n += 0x800
                c = ids[w] = chr(n)
            out.append(c)
        return "".join(out)


def _canon_tokens(article: Article) -> list[CanonToken]:
    out: list[CanonToken] = []
    if article.lead:
        out.extend(CanonToken(t.key, "lead", -1, t.start, t.end) for t in tokenize(article.lead))
    for i, para in enumerate(article.body):
        out.extend(CanonToken(t.key, "body", i, t.start, t.end) for t in tokenize(para))
    return out


def _best_in_block(needle: str, hay: str) -> tuple[float, int, int]:
    """Similarity (0-1) of *needle* to the best window of *hay*, and that window's bounds."""
    if not needle or not hay:
        return 0.0, 0, 0
    if len(hay) <= len(needle) + 1:
        return Indel.normalized_similarity(needle, hay), 0, len(hay)
    al = fuzz.partial_ratio_alignment(needle, hay)
    return al.score / 100.0, al.dest_start, al.dest_end


class _Locator:
    """State shared by the steps of one alignment."""

    def __init__(self, article: Article, page: ExtractedPage) -> None:
        self.article = article
        self.page = page
        self.vocab = _Vocab()
        self.block_tokens: list[list[Token]] = [tokenize(b.text) for b in page.blocks]
        self.block_codes: list[str] = [self.vocab.encode([t.key for t in toks]) for toks in self.block_tokens]
        self.canon = _canon_tokens(article)
        self.canon_code = self.vocab.encode([t.key for t in self.canon])
        self.claimed: dict[int, list[tuple[int, int]]] = {}

    # -- step 1: the body span ----------------------------------------------------------------
    def locate(self) -> tuple[int, int]:
        k = settings.SHINGLE_SIZE
        code = self.canon_code
        shingles: dict[str, list[int]] = {}
        for i in range(len(code) - k + 1):
            shingles.setdefault(code[i : i + k], []).append(i)
        if len(code) < k and code:
            shingles.setdefault(code, []).append(0)
        # Page words in one string with block boundaries, so shingles may cross blocks (a paragraph
        # split by <br> still matches) while hits are counted per block.
        full = "".join(self.block_codes)
        offsets = []
        pos = 0
        for c in self.block_codes:
            offsets.append(pos)
            pos += len(c)
        kk = min(k, max(1, len(code)))
        hit = bytearray(len(full))
        covers: list[set[int]] = [set() for _ in self.block_codes]
        block_at: list[int] = []
        for b, c in enumerate(self.block_codes):
            block_at.extend([b] * len(c))
        get = shingles.get
        for i in range(len(full) - kk + 1):
            where = get(full[i : i + kk])
            if where:
                hit[i : i + kk] = b"\x01" * kk
                cov = covers[block_at[i]]
                for w in where[:4]:  # a shingle repeated in the canonical covers each place
                    cov.update(range(w, w + kk))
        hits = [hit[offsets[b] : offsets[b] + len(c)].count(1) for b, c in enumerate(self.block_codes)]

        # clusters of hit blocks
        clusters: list[list[int]] = []
        gap = 0
        for b, c in enumerate(self.block_codes):
            if not c:
                continue
            if hits[b] >= max(1, len(c) * 0.4):
                if clusters and gap <= settings.CLUSTER_GAP_WORDS:
                    clusters[-1].append(b)
                else:
                    clusters.append([b])
                gap = 0
            else:
                gap += len(c)
        if not clusters:
            raise ArticleNotFoundError("the page does not carry the article (no canonical text found)")
        cover = [set().union(*(covers[b] for b in cl)) for cl in clusters]
        main = max(range(len(clusters)), key=lambda i: (len(cover[i]), sum(hits[b] for b in clusters[i])))
        covered = set(cover[main])
        lo = hi = main

        def joins(i: int) -> bool:
            gain = len(cover[i] - covered)
            return gain >= settings.CLUSTER_MIN_GAIN and gain >= settings.CLUSTER_MIN_GAIN_SHARE * len(cover[i])

        while lo > 0 and joins(lo - 1):
            lo -= 1
            covered |= cover[lo]
        while hi < len(clusters) - 1 and joins(hi + 1):
            hi += 1
            covered |= cover[hi]
        members = [b for cl in clusters[lo : hi + 1] for b in cl]
        # A teaser close to the article (title and lead repeated in a box just before or after it)
        # falls in the same cluster: drop edge blocks whose canonical words the rest already covers.
        for from_start in (True, False):
            while len(members) > 1:
                edge = members[0] if from_start else members[-1]
                rest = set().union(*(covers[b] for b in (members[1:] if from_start else members[:-1])))
                if len(covers[edge] - rest) > 0.2 * len(covers[edge]):
                    break
                members = members[1:] if from_start else members[:-1]
        first, last = members[0], members[-1]
        if len(covered) < min(settings.MIN_MATCHED_WORDS, 0.5 * len(code)):
            raise ArticleNotFoundError(
                f"the page does not carry the article (only {len(covered)} of {len(code)} canonical words found)"
            )
        return self._extend(first, last)

    def _extend(self, first: int, last: int) -> tuple[int, int]:
        """Grow the span over sibling blocks of the same kind: text appended to the article body."""
        blocks = self.page.blocks
        for _ in range(settings.EXTEND_BLOCKS):
            nxt = last + 1
            if nxt < len(blocks) and blocks[nxt].parent_path == blocks[last].parent_path and (
                blocks[nxt].tag == blocks[last].tag
            ):
                last = nxt
            else:
                break
        for _ in range(settings.EXTEND_BLOCKS):
            prv = first - 1
            if prv >= 0 and blocks[prv].parent_path == blocks[first].parent_path and (
                blocks[prv].tag == blocks[first].tag
            ):
                first = prv
            else:
                break
        return first, last

    # -- step 2: short fields ------------------------------------------------------------------
    def _claim(self, block: int, t0: int, t1: int) -> None:
        self.claimed.setdefault(block, []).append((t0, t1))

    def _text_of(self, block: int, t0: int, t1: int) -> str:
        toks = self.block_tokens[block]
        if t1 <= t0 or not toks:
            return ""
        return self.page.blocks[block].text[toks[t0].start : toks[t1 - 1].end]

    def _find(self, field: str, text: str, candidates: range | list[int], *, whole: bool,
              index: int | None = None, prefer_near: int | None = None) -> FieldMatch:
        needle = self.vocab.encode([t.key for t in tokenize(text)])
        best: tuple[float, int, int, int] | None = None
        best_rank: tuple[float, float] | None = None
        for b in candidates:
            hay = self.block_codes[b]
            if not hay:
                continue
            if whole:
                sim, t0, t1 = Indel.normalized_similarity(needle, hay), 0, len(hay)
            else:
                sim, t0, t1 = _best_in_block(needle, hay)
            if sim < settings.FIELD_ALTERED_MIN:
                continue
            if needle == hay[t0:t1]:
                sim = 1.0
            # Exact beats altered; between equals, the block nearest the article wins.
            dist = abs(b - prefer_near) if prefer_near is not None else 0
            rank = (round(sim, 2), -dist)
            if best_rank is None or rank > best_rank:
                best, best_rank = (sim, b, t0, t1), rank
        if best is None:
            return FieldMatch(field, text, 0.0, None, "", index)
        sim, b, t0, t1 = best
        if whole:
            t0, t1 = 0, len(self.block_codes[b])
        self._claim(b, t0, t1)
        return FieldMatch(field, text, sim, b, self._text_of(b, t0, t1), index)

    def fields(self, span: tuple[int, int]) -> tuple[list[FieldMatch], tuple[int, int]]:
        first, last = span
        n = len(self.page.blocks)
        lo, hi = max(0, first - settings.REGION_BLOCKS), min(n - 1, last + settings.REGION_BLOCKS)
        art = self.article
        found: list[FieldMatch] = []
        # The title precedes the body: search backwards from the span start, plus its first blocks.
        title_cands = list(range(first + 2, lo - 1, -1))
        title = self._find("title", art.title, title_cands, whole=True, prefer_near=first)
        found.append(title)
        top = title.block if title.block is not None and title.block < first else max(lo, first - 8)
        region = range(top, min(n, last + 1 + 8))
        for i, img in enumerate(art.images):
            if img.caption:
                found.append(self._find("caption", img.caption, region, whole=False, index=i, prefer_near=first))
            if img.credit:
                found.append(self._credit(img.credit, region, i, first))
        if art.byline:
            found.append(self._find("byline", art.byline, region, whole=False, prefer_near=first))
        else:
            for name in art.authors:
                found.append(self._find("author", name, range(lo, hi + 1), whole=False, prefer_near=first))
        return found, (top, min(n - 1, last + 8))

    def _credit(self, credit: str, region: range, index: int, near: int) -> FieldMatch:
        match = self._find("credit", credit, region, whole=False, index=index, prefer_near=near)
        if match.similarity >= 1.0 or match.block is not None:
            return match
        # A credit rewritten beyond recognition ("© Reuters") is still a credit: the text after a
        # credit marker in the article region is compared instead.
        for b in region:
            text = self.page.blocks[b].text
            low = text.lower()
            for marker in settings.CREDIT_MARKERS:
                at = low.find(marker)
                if at >= 0:
                    rest = text[at:].strip()
                    return FieldMatch("credit", credit, settings.FIELD_ALTERED_MIN, b, rest, index)
        return match

    # -- step 3: words ---------------------------------------------------------------------------
    def words(self, span: tuple[int, int]) -> tuple[list[PageToken], list[Opcode]]:
        first, last = span
        toks: list[PageToken] = []
        codes: list[str] = []
        for b in range(first, last + 1):
            claims = self.claimed.get(b, [])
            code = self.block_codes[b]
            for i, t in enumerate(self.block_tokens[b]):
                if any(c0 <= i < c1 for c0, c1 in claims):
                    continue
                toks.append(PageToken(t.key, b, t.start, t.end))
                codes.append(code[i])
        page_code = "".join(codes)
        ops = [Opcode(o.tag, o.src_start, o.src_end, o.dest_start, o.dest_end)
               for o in Indel.opcodes(self.canon_code, page_code)]
        return toks, ops

    def images(self, region: tuple[int, int], span: tuple[int, int]) -> tuple[list[ImageMatch], list[Element]]:
        lo, hi = region
        first, last = span
        imgs = [e for e in self.page.elements if e.kind == "image" and lo <= e.before_block <= hi + 1]
        used: set[int] = set()
        matches: list[ImageMatch] = []
        for i, img in enumerate(self.article.images):
            name = img.src.rsplit("/", 1)[-1].split("?")[0].lower()
            pick = next((j for j, e in enumerate(imgs) if j not in used and name and e.src
                         and e.src.rsplit("/", 1)[-1].split("?")[0].lower() == name), None)
            if pick is None:  # re-hosted images get new names: take the next unused one in order
                pick = next((j for j in range(len(imgs)) if j not in used), None)
            if pick is not None:
                used.add(pick)
            matches.append(ImageMatch(i, imgs[pick] if pick is not None else None))
        matched = {id(imgs[j]) for j in used}
        inside = [e for e in self.page.elements if first < e.before_block <= last and id(e) not in matched]
        return matches, inside


def align(article: Article, page: ExtractedPage) -> Alignment:
    """Locate *article* on *page* and align it word by word.

    Raises :class:`ArticleNotFoundError` when the page does not carry the article.
    """
    loc = _Locator(article, page)
    span = loc.locate()
    fields, region = loc.fields(span)
    toks, ops = loc.words(span)
    images, inside = loc.images(region, span)
    equal = sum(o.c1 - o.c0 for o in ops if o.tag == "equal")
    coverage = equal / len(loc.canon) if loc.canon else 1.0
    return Alignment(
        article=article,
        page=page,
        span=span,
        region=region,
        canon_tokens=tuple(loc.canon),
        page_tokens=tuple(toks),
        opcodes=tuple(ops),
        fields=tuple(fields),
        images=tuple(images),
        span_elements=tuple(inside),
        coverage=coverage,
    )
