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
from functools import lru_cache, partial
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
    pos: int  # position among the block's words
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
    claimed: frozenset[int] = frozenset()  # page_tokens taken by a caption, credit or byline


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


@lru_cache(maxsize=64)
def _canon_tokens(article: Article) -> tuple[CanonToken, ...]:
    """The canonical lead and body as tokens; cached, since an audit checks many pages per article."""
    return tuple(_tokenize_article(article))


def _tokenize_article(article: Article) -> list[CanonToken]:
    out: list[CanonToken] = []
    if article.lead:
        out.extend(CanonToken(t.key, "lead", -1, t.start, t.end) for t in tokenize(article.lead))
    for i, para in enumerate(article.body):
        out.extend(CanonToken(t.key, "body", i, t.start, t.end) for t in tokenize(para))
    return out


class _Locator:
    """State shared by the steps of one alignment."""

    def __init__(self, article: Article, page: ExtractedPage) -> None:
        self.article = article
        self.page = page
        self.vocab = _Vocab()
        self.block_tokens: list[list[Token]] = [tokenize(b.text) for b in page.blocks]
        self.block_codes: list[str] = [self.vocab.encode([t.key for t in toks]) for toks in self.block_tokens]
        self.canon = list(_canon_tokens(article))
        self.canon_code = self.vocab.encode([t.key for t in self.canon])
        self.claimed: dict[int, list[tuple[int, int]]] = {}
        self.captions: dict[int | None, FieldMatch] = {}  # image index -> where its caption was found

    # -- step 1: the body span ----------------------------------------------------------------
    def locate(self) -> tuple[int, int]:
        """First and last block of the article body; :class:`ArticleNotFoundError` when absent."""
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
                if len(where) == 1:  # a shingle repeated in the canonical says nothing about *which* place
                    covers[block_at[i]].update(range(where[0], where[0] + kk))
        hits = [hit[offsets[b] : offsets[b] + len(c)].count(1) for b, c in enumerate(self.block_codes)]
        # Headlines share words with the body: a block that is the title is not body text, and
        # would otherwise drag the lead's cluster (or a teaser) into the article.
        title = self.vocab.encode([t.key for t in tokenize(self.article.title)])
        for b, c in enumerate(self.block_codes):
            if hits[b] and title and Indel.normalized_similarity(title, c) >= settings.TITLE_BLOCK_SIMILARITY:
                hits[b] = 0
                covers[b] = set()

        # clusters of hit blocks
        clusters: list[list[int]] = []
        gap = 0
        for b, c in enumerate(self.block_codes):
            if not c:
                continue
            if hits[b] >= max(1, len(c) * settings.BLOCK_HIT_SHARE):
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

        def between(a: int, b: int) -> int:
            """Words between the end of cluster *a* and the start of the later cluster *b*."""
            return sum(len(self.block_codes[x]) for x in range(clusters[a][-1] + 1, clusters[b][0]))

        def joins(i: int, words_between: int) -> bool:
            gain = len(cover[i] - covered)
            # A near neighbour (a lead above the body, past a share bar and a photo) may mix new
            # text with a summary of the body; a far one must bring mostly new text.
            near = words_between <= settings.CLUSTER_NEAR_WORDS
            share = settings.CLUSTER_MIN_GAIN_SHARE_NEAR if near else settings.CLUSTER_MIN_GAIN_SHARE
            return gain >= settings.CLUSTER_MIN_GAIN and gain >= share * len(cover[i])

        while lo > 0 and joins(lo - 1, between(lo - 1, lo)):
            lo -= 1
            covered |= cover[lo]
        while hi < len(clusters) - 1 and joins(hi + 1, between(hi, hi + 1)):
            hi += 1
            covered |= cover[hi]
        members = [b for cl in clusters[lo : hi + 1] for b in cl]

        # A teaser close to the article (title and lead repeated in a box just before or after it)
        # falls in the same cluster: drop edge blocks whose canonical words the rest already covers.
        # Copies out of canonical order go first (a lead repeated *after* the body is the teaser,
        # not the lead), then copies at the start, then at the end.
        def is_copy(edge: int, rest: list[int]) -> bool:
            covered_rest = set().union(*(covers[b] for b in rest))
            # No unique shingle (a lead the body repeats word for word): nothing says it is a copy.
            return bool(covers[edge]) and len(covers[edge] - covered_rest) <= settings.COPY_MAX_NEW * len(covers[edge])

        def out_of_order(edge: int, neighbour: int, at_start: bool) -> bool:
            if not covers[edge] or not covers[neighbour]:
                return False
            return (
                min(covers[edge]) > min(covers[neighbour]) if at_start else min(covers[edge]) < min(covers[neighbour])
            )

        changed = True
        while changed and len(members) > 1:
            changed = False
            if out_of_order(members[-1], members[-2], False) and is_copy(members[-1], members[:-1]):
                members, changed = members[:-1], True
            elif out_of_order(members[0], members[1], True) and is_copy(members[0], members[1:]):
                members, changed = members[1:], True
        while len(members) > 1 and is_copy(members[0], members[1:]):
            members = members[1:]
        while len(members) > 1 and is_copy(members[-1], members[:-1]):
            members = members[:-1]
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
            if (
                nxt < len(blocks)
                and blocks[nxt].parent_path == blocks[last].parent_path
                and (blocks[nxt].tag == blocks[last].tag)
            ):
                last = nxt
            else:
                break
        for _ in range(settings.EXTEND_BLOCKS):
            prv = first - 1
            if (
                prv >= 0
                and blocks[prv].parent_path == blocks[first].parent_path
                and (blocks[prv].tag == blocks[first].tag)
            ):
                first = prv
            else:
                break
        return first, last

    # -- step 2: the headline -------------------------------------------------------------------
    def _claim(self, block: int, t0: int, t1: int) -> None:
        self.claimed.setdefault(block, []).append((t0, t1))

    def _is_claimed(self, block: int, i: int) -> bool:
        return any(c0 <= i < c1 for c0, c1 in self.claimed.get(block, ()))

    def _text_of(self, block: int, t0: int, t1: int) -> str:
        toks = self.block_tokens[block]
        if t1 <= t0 or not toks:
            return ""
        return self.page.blocks[block].text[toks[t0].start : toks[t1 - 1].end]

    def title(self, span: tuple[int, int]) -> FieldMatch:
        """The headline: the most similar whole block before the body (or among its first blocks).

        A headline may be set as a kicker block plus the ``<h1>`` ("Nach Gaetz-Rückzug:" above
        "Trump-Anwältin soll ..."), so two consecutive blocks are also compared as one; and a kicker
        may be an element of its own inside the heading (``Block.parts``), so a run of a heading's
        elements that is exactly the headline counts as the headline, the kicker left aside.
        """
        first = span[0]
        lo = max(0, first - settings.REGION_BLOCKS)
        needle = self.vocab.encode([t.key for t in tokenize(self.article.title)])
        codes = self.block_codes
        if not needle:
            return FieldMatch("title", self.article.title, 0.0, None, "")
        best: tuple[float, list[int], int, int] | None = None  # similarity, blocks, first/last token
        # Nearest first: a teaser further up loses ties. Clamped: the span may end the page.
        # Blocks without words (a ":" between a kicker and the headline) are passed over.
        top = min(first + settings.TITLE_INSIDE_BLOCKS, len(codes) - 1)
        words = [b for b in range(lo, min(top + settings.TITLE_INSIDE_BLOCKS, len(codes) - 1) + 1) if codes[b]]
        for at in range(len(words) - 1, -1, -1):
            b = words[at]
            if b > top:
                continue
            for n in (1, 2):
                if at + n > len(words):
                    break
                taken = words[at : at + n]
                hay = "".join(codes[x] for x in taken)
                sim = 1.0 if hay == needle else Indel.normalized_similarity(needle, hay)
                t0, t1 = 0, len(codes[taken[-1]])
                if sim < 1.0 and n == 1 and (part := self._heading_part(b, needle)) is not None:
                    sim, (t0, t1) = 1.0, part
                if sim >= settings.FIELD_ALTERED_MIN and (best is None or round(sim, 2) > round(best[0], 2)):
                    best = (sim, taken, t0, t1)
        if best is None:
            return FieldMatch("title", self.article.title, 0.0, None, "")
        sim, taken, t0, t1 = best
        if len(taken) == 1:
            self._claim(taken[0], t0, t1)
            text = self._text_of(taken[0], t0, t1)
        else:
            for x in taken:
                self._claim(x, 0, len(codes[x]))
            text = " ".join(self.page.blocks[x].text for x in taken)
        return FieldMatch("title", self.article.title, sim, taken[0], text)

    def _heading_part(self, block: int, needle: str) -> tuple[int, int] | None:
        """Token bounds of a run of the heading's elements that is exactly *needle*, or None."""
        parts = self.page.blocks[block].parts
        if not parts:
            return None
        toks = self.block_tokens[block]
        starts = (next((i for i, t in enumerate(toks) if t.start >= p), len(toks)) for p in parts)
        bounds = sorted({0, len(toks), *starts})
        code = self.block_codes[block]
        for i, t0 in enumerate(bounds):
            for t1 in bounds[i + 1 :]:
                if code[t0:t1] == needle and (t0, t1) != (0, len(toks)):
                    return t0, t1
        return None

    def lead(self, span: tuple[int, int], title: FieldMatch) -> int | None:
        """The lead's block when it stands above the body span, apart from it; else None.

        The body span starts where the canonical text is found uniquely; a lead that the first
        paragraph repeats word for word ("India said it struck ...") has no unique words and stays
        outside, past a video player or a photo. It is the block most like the lead (at least
        ``LEAD_BLOCK_SIMILARITY``) between the headline and the body, nearest to the body; a copy
        above the headline (a teaser) is never taken. Nothing is searched when a block at the start
        of the span already looks like the lead, so a lead altered in place is judged there.
        """
        if not self.article.lead:
            return None
        first = span[0]
        needle = self.vocab.encode([t.key for t in tokenize(self.article.lead)])
        codes = self.block_codes

        def like(b: int) -> bool:
            return bool(codes[b]) and Indel.normalized_similarity(needle, codes[b]) >= settings.LEAD_BLOCK_SIMILARITY

        if any(like(b) for b in range(first, min(first + settings.TITLE_INSIDE_BLOCKS, len(codes)))):
            return None
        top = title.block + 1 if title.block is not None and title.block < first else first - settings.LEAD_BLOCKS
        for b in range(first - 1, max(0, top) - 1, -1):
            if like(b) and not self.claimed.get(b):
                return b
        return None

    # -- step 3: words ---------------------------------------------------------------------------
    def words(self, span: tuple[int, int], lead: int | None = None) -> tuple[list[PageToken], list[Opcode]]:
        """Align the canonical lead and body with the unclaimed words of the span (and the lead's block)."""
        first, last = span
        toks: list[PageToken] = []
        codes: list[str] = []
        for b in ([lead] if lead is not None else []) + list(range(first, last + 1)):
            code = self.block_codes[b]
            for i, t in enumerate(self.block_tokens[b]):
                if self._is_claimed(b, i):
                    continue
                toks.append(PageToken(t.key, b, i, t.start, t.end))
                codes.append(code[i])
        page_code = "".join(codes)
        ops = [
            Opcode(o.tag, o.src_start, o.src_end, o.dest_start, o.dest_end)
            for o in Indel.opcodes(self.canon_code, page_code)
        ]
        ops = _slide(
            ops,
            [t.para for t in self.canon],
            [t.block for t in toks],
            [t.key for t in self.canon],
            [t.key for t in toks],
        )
        return toks, _cleanup(ops, [t.para for t in self.canon], [t.block for t in toks])

    # -- step 4: short fields among the words the text did not take ------------------------------
    def specs(self) -> list[tuple[str, str, int | None]]:
        """The short fields to find: (field, canonical text, image or author index)."""
        out: list[tuple[str, str, int | None]] = []
        for i, img in enumerate(self.article.images):
            if img.caption:
                out.append(("caption", img.caption, i))
            if img.credit:
                out.append(("credit", img.credit, i))
        if self.article.byline:
            out.append(("byline", self.article.byline, None))
        else:
            out.extend(("author", name, j) for j, name in enumerate(self.article.authors))
        return out

    def region(self, span: tuple[int, int], title: FieldMatch) -> tuple[int, int]:
        """Blocks where the article's fields and images are looked for: headline to body end."""
        first, last = span
        top = title.block if title.block is not None and title.block < first else max(0, first - 8)
        return top, min(len(self.page.blocks) - 1, last + 8)

    def fields(
        self,
        span: tuple[int, int],
        region: tuple[int, int],
        codes: list[str],
        *,
        exact: bool,
        skip: set[tuple[str, int | None]],
    ) -> dict[tuple[str, int | None], FieldMatch]:
        """Captions, credits and byline (or authors) found in the region of the article.

        With *exact*, only exact occurrences are taken: done before the word alignment, so that a
        caption quoting the body cannot lend its words to it. Otherwise the best similar occurrence
        among *codes* (the words the text alignment left free) is taken.
        """
        first, last = span
        n = len(self.page.blocks)
        near = range(region[0], region[1] + 1)
        wide = range(max(0, first - settings.REGION_BLOCKS), min(n, last + 1 + settings.REGION_BLOCKS))
        found: dict[tuple[str, int | None], FieldMatch] = {}
        for field, text, index in self.specs():
            if (field, index) in skip:
                continue
            if exact and (field == "author" or len(tokenize(text)) < settings.MIN_EXACT_FIELD_WORDS):
                continue  # short texts ("AFP", a name) also occur in the body: only after alignment
            where = wide if field == "author" else near
            if field == "credit" and not exact:
                match = self._credit(text, where, codes, index or 0, first, self.captions.get(index))
            else:
                match = self._find(field, text, where, codes, index=index, near=first, exact=exact)
            if match.block is not None or not exact:
                found[(field, index)] = match
                if field == "caption":
                    self.captions[index] = match
        return found

    def _find(
        self,
        field: str,
        text: str,
        candidates: range,
        codes: list[str],
        *,
        index: int | None = None,
        near: int = 0,
        exact: bool = False,
    ) -> FieldMatch:
        needle = self.vocab.encode([t.key for t in tokenize(text)])
        best: tuple[float, int, int, int] | None = None
        best_rank: tuple[float, int, int] | None = None
        for b in candidates:
            hay = codes[b]
            if not hay or not needle:
                continue
            if exact:
                at = hay.find(needle)
                if at < 0:
                    continue
                sim, t0, t1 = 1.0, at, at + len(needle)
            else:
                sim, t0, t1 = _locate_in(needle, hay)
            if sim < settings.FIELD_ALTERED_MIN:
                continue
            # Exact beats altered; a <figcaption> beats body text for captions; then nearness.
            fig = int(field in ("caption", "credit") and "figcaption" in self.page.blocks[b].css_path)
            rank = (round(sim, 2), fig, -abs(b - near))
            if best_rank is None or rank > best_rank:
                best, best_rank = (sim, b, t0, t1), rank
        if best is None:
            return FieldMatch(field, text, 0.0, None, "", index)
        sim, b, t0, t1 = best
        self._claim(b, t0, t1)
        return FieldMatch(field, text, sim, b, self._text_of(b, t0, t1), index)

    def _credit(
        self, credit: str, region: range, codes: list[str], index: int, near: int, caption: FieldMatch | None = None
    ) -> FieldMatch:
        match = self._find("credit", credit, region, codes, index=index, near=near)
        if match.block is not None:
            return match
        # A credit rewritten beyond recognition ("© Reuters") is still a credit: the text after a
        # credit marker in the image's caption block (or the block just after it) is compared.
        if caption is None or caption.block is None:
            return match
        for b in (caption.block, caption.block + 1):
            if b >= len(self.page.blocks):
                break
            text = self.page.blocks[b].text
            low = text.lower()
            for marker in settings.CREDIT_MARKERS:
                at = low.find(marker)
                if at >= 0:
                    rest = text[at:].strip()
                    toks = self.block_tokens[b]
                    t0 = next((i for i, t in enumerate(toks) if t.start >= at), len(toks))
                    self._claim(b, t0, len(toks))
                    return FieldMatch("credit", credit, settings.FIELD_ALTERED_MIN, b, rest, index)
        return match

    def images(
        self, region: tuple[int, int], span: tuple[int, int], body_start: int
    ) -> tuple[list[ImageMatch], list[Element]]:
        """Match canonical images to partner images; list the other elements inside the body span.

        *body_start* is the block where the first body paragraph (after the lead) was found.
        """
        lo, hi = region
        first, last = span
        imgs = [e for e in self.page.elements if e.kind == "image" and lo <= e.before_block <= hi + 1]
        used: set[int] = set()
        matches: list[ImageMatch] = []
        for i, img in enumerate(self.article.images):
            name = _file_name(img.src)
            pick = next((j for j, e in enumerate(imgs) if j not in used and name and _file_name(e.src) == name), None)
            if pick is None:
                # Re-hosted images get new names: take the next unused one in order, but only where the
                # article's picture stands: from the headline to the first body paragraph, or by its caption.
                # An image between paragraphs is an insertion, a thumbnail after the body a teaser.
                cap = self.captions.get(i)
                near = {cap.block, cap.block + 1} if cap is not None and cap.block is not None else set()
                pick = next(
                    (
                        j
                        for j, e in enumerate(imgs)
                        if j not in used
                        and not _decorative(e)
                        and (e.before_block <= body_start or e.before_block in near)
                    ),
                    None,
                )
            if pick is not None:
                used.add(pick)
            matches.append(ImageMatch(i, imgs[pick] if pick is not None else None))
        matched = {id(imgs[j]) for j in used}
        inside = [e for e in self.page.elements if first < e.before_block <= last and id(e) not in matched]
        return matches, inside


def _decorative(img: Element) -> bool:
    """An author portrait, a logo or an icon: never taken for the article's picture by position."""
    small = any(d is not None and d < settings.MIN_PICTURE_SIZE for d in (img.width, img.height))
    src = (img.src or "").lower()
    return small or src.endswith(".svg") or any(hint in src for hint in settings.DECORATIVE_IMAGE_HINTS)


def _file_name(src: str | None) -> str:
    return (src or "").rsplit("/", 1)[-1].split("?")[0].lower()


def _locate_in(needle: str, hay: str) -> tuple[float, int, int]:
    """Similarity of *needle* to its best occurrence in *hay*, and that occurrence's bounds.

    A window found by rapidfuzz's partial ratio is refined into a semi-global alignment: it runs
    from the first to the last matched word, widened by the needle's unmatched words at either end,
    so a changed first or last word ("© AFP" for "© REUTERS") belongs to the occurrence.
    """
    if needle == hay:
        return 1.0, 0, len(hay)
    if len(hay) <= len(needle):
        return Indel.normalized_similarity(needle, hay), 0, len(hay)
    al = fuzz.partial_ratio_alignment(needle, hay)
    if al is None:
        return 0.0, 0, 0
    margin = max(2, len(needle) // 2)
    w0, w1 = max(0, al.dest_start - margin), min(len(hay), al.dest_end + margin)
    equal = [o for o in Indel.opcodes(needle, hay[w0:w1]) if o.tag == "equal"]
    if not equal:
        return 0.0, 0, 0
    s = w0 + equal[0].dest_start - equal[0].src_start
    e = w0 + equal[-1].dest_end + (len(needle) - equal[-1].src_end)
    s, e = max(w0, s), min(w1, e)
    window = hay[s:e]
    sim = 1.0 if window == needle else Indel.normalized_similarity(needle, window)
    return sim, s, e


def _slide_score(units: list[int], other: list[int], a: int, b: int, at: int, k: int) -> tuple[int, int]:
    """How well an edit shifted by *k* fits the structure: ends on unit boundaries, then the other side."""
    s, e, o = a + k, b + k, at + k
    ends = int(s == 0 or units[s - 1] != units[s]) + int(e >= len(units) or units[e - 1] != units[e])
    return ends, int(o <= 0 or o >= len(other) or other[o - 1] != other[o])


def _slide(ops: list[Opcode], paras: list[int], blocks: list[int], ckeys: list[str], pkeys: list[str]) -> list[Opcode]:
    """Move each pure insertion or deletion to the equivalent place that best fits the structure.

    When the words at one end of an edit repeat at the other end, the edit can slide without
    changing the alignment's quality ("Les" of a caption matched instead of the "Les" opening the
    body). Like diff's indent heuristic, the place whose ends sit on block boundaries (page) or
    paragraph boundaries (canonical) is chosen.
    """
    out = list(ops)
    for i in range(1, len(out) - 1):
        left, op, right = out[i - 1], out[i], out[i + 1]
        if left.tag != "equal" or right.tag != "equal" or op.tag not in ("insert", "delete"):
            continue
        if op.tag == "insert":
            a, b, keys, units = op.p0, op.p1, pkeys, blocks
            lo_room, hi_room = left.p1 - left.p0, right.p1 - right.p0
        else:
            a, b, keys, units = op.c0, op.c1, ckeys, paras
            lo_room, hi_room = left.c1 - left.c0, right.c1 - right.c0

        # The other side's position moves with the edit: an insertion's canonical place (or a
        # cut's page place) on a paragraph (block) boundary breaks ties.
        other, at = (paras, op.c0) if op.tag == "insert" else (blocks, op.p0)
        score = partial(_slide_score, units, other, a, b, at)
        best_k, best = 0, score(0)
        k = 1
        while k <= lo_room and keys[a - k] == keys[b - k]:
            if score(-k) > best:
                best_k, best = -k, score(-k)
            k += 1
        k = 1
        while k <= hi_room and b + k - 1 < len(keys) and keys[a + k - 1] == keys[b + k - 1]:
            if score(k) > best:
                best_k, best = k, score(k)
            k += 1
        if best_k == 0:
            continue
        k = best_k
        if op.tag == "insert":
            out[i - 1] = Opcode("equal", left.c0, left.c1 + k, left.p0, left.p1 + k)
            out[i] = Opcode("insert", op.c0 + k, op.c1 + k, op.p0 + k, op.p1 + k)
            out[i + 1] = Opcode("equal", right.c0 + k, right.c1, right.p0 + k, right.p1)
        else:
            out[i - 1] = Opcode("equal", left.c0, left.c1 + k, left.p0, left.p1 + k)
            out[i] = Opcode("delete", op.c0 + k, op.c1 + k, op.p0 + k, op.p1 + k)
            out[i + 1] = Opcode("equal", right.c0 + k, right.c1, right.p0 + k, right.p1)
    return [o for o in out if o.c1 > o.c0 or o.p1 > o.p0]


def _cleanup(ops: list[Opcode], paras: list[int], blocks: list[int]) -> list[Opcode]:
    """Dissolve chance matches: a short equal run between larger edits becomes part of the edit.

    The longest common subsequence happily matches "et" or "le général Haftar" inside a removed
    paragraph; such islands split one cut into several and mislabel moves. Like diff-match-patch's
    semantic cleanup, an equality no longer than the edits on both sides is turned into a
    delete plus an insert; ``diff`` then trims any common prefix or suffix of the merged edit.
    """
    out = list(ops)
    changed = True
    while changed:
        changed = False
        for i, op in enumerate(out):
            if op.tag != "equal" or i == 0 or i == len(out) - 1:
                continue
            size = op.c1 - op.c0
            if size > settings.MAX_ISLAND_WORDS:
                continue
            left = right = 0
            j = i - 1
            while j >= 0 and out[j].tag != "equal":
                left += max(out[j].c1 - out[j].c0, out[j].p1 - out[j].p0)
                j -= 1
            j = i + 1
            while j < len(out) and out[j].tag != "equal":
                right += max(out[j].c1 - out[j].c0, out[j].p1 - out[j].p0)
                j += 1
            # A whole paragraph matched to a whole block ("Football" as a sub-heading) is structure.
            whole = (
                (op.c0 == 0 or paras[op.c0 - 1] != paras[op.c0])
                and (op.c1 == len(paras) or paras[op.c1] != paras[op.c1 - 1])
                and (op.p0 == 0 or blocks[op.p0 - 1] != blocks[op.p0])
                and (op.p1 == len(blocks) or blocks[op.p1] != blocks[op.p1 - 1])
            )
            if not whole and size <= left and size <= right and (left + right) > 2 * size:
                out[i : i + 1] = [
                    Opcode("delete", op.c0, op.c1, op.p0, op.p0),
                    Opcode("insert", op.c1, op.c1, op.p0, op.p1),
                ]
                changed = True
                break
    return out


def align(article: Article, page: ExtractedPage) -> Alignment:
    """Locate *article* on *page* and align it word by word.

    Raises :class:`ArticleNotFoundError` when the page does not carry the article.
    """
    loc = _Locator(article, page)
    span = loc.locate()
    title = loc.title(span)
    region = loc.region(span, title)
    exact = loc.fields(span, region, loc.block_codes, exact=True, skip=set())
    toks, ops = loc.words(span, loc.lead(span, title))
    # Words aligned with the canonical text cannot be a caption or a byline: mask them.
    taken = {(toks[k].block, toks[k].pos) for o in ops if o.tag == "equal" for k in range(o.p0, o.p1)}
    masked = list(loc.block_codes)
    for b in {b for b, _ in taken}:
        masked[b] = "".join("\x01" if (b, i) in taken else c for i, c in enumerate(loc.block_codes[b]))
    fuzzy = loc.fields(span, region, masked, exact=False, skip=set(exact))
    found = {**exact, **fuzzy}
    fields = [title, *(found[(f, i)] for f, _, i in loc.specs())]
    claimed = frozenset(k for k, t in enumerate(toks) if loc._is_claimed(t.block, t.pos))
    body_start = next(
        (
            toks[o.p0 + k].block
            for o in ops
            if o.tag == "equal"
            for k in range(o.p1 - o.p0)
            if loc.canon[o.c0 + k].field == "body"
        ),
        span[0],
    )
    images, inside = loc.images(region, span, body_start)
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
        claimed=claimed,
    )
