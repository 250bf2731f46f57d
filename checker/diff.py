"""Alignment -> typed differences, before any licence judges them.

Every difference says what changed (its ``kind``, from the contract vocabulary), where it sits in
the canonical article (field, paragraph, character offsets) and where on the partner page (text and
CSS path). Whether a difference breaks the licence, and how badly, is the rules engine's business.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from checker import settings
from checker.align import Alignment, CanonToken, FieldMatch, Opcode, PageToken
from checker.models import Article, CanonicalEvidence, Difference, PartnerEvidence
from checker.normalize import comparable, squash, tokenize


@dataclass(frozen=True, slots=True)
class _Run:
    """A stretch of the alignment where canonical ``[c0, c1)`` and partner ``[p0, p1)`` differ."""

    c0: int
    c1: int
    p0: int
    p1: int


def _runs(ops: Sequence[Opcode], canon: Sequence[CanonToken]) -> list[_Run]:
    """Non-equal stretches; edits a couple of words apart in one paragraph are one difference."""
    runs: list[_Run] = []
    for op in ops:
        if op.tag in ("equal", "claimed"):
            continue
        if runs:
            prev = runs[-1]
            gap_c = op.c0 - prev.c1
            same_para = (
                0 < op.c0 < len(canon)
                and prev.c1 > 0
                and canon[prev.c1 - 1].para == canon[min(op.c0, len(canon) - 1)].para
            )
            if (gap_c == 0 and op.p0 == prev.p1) or (
                gap_c <= settings.MERGE_GAP_WORDS and same_para and op.p0 - prev.p1 <= settings.MERGE_GAP_WORDS
            ):
                runs[-1] = _Run(prev.c0, op.c1, prev.p0, op.p1)
                continue
        runs.append(_Run(op.c0, op.c1, op.p0, op.p1))
    return runs


class _Differ:
    """Turns one alignment into differences."""

    def __init__(self, al: Alignment) -> None:
        self.al = al
        self.art: Article = al.article
        self.canon = al.canon_tokens
        self.ptoks = al.page_tokens
        self.blocks = al.page.blocks

    # -- evidence ----------------------------------------------------------------------------
    def _canon_text(self, field: str, para: int) -> str:
        if field == "lead":
            return self.art.lead or ""
        return self.art.body[para]

    def canon_evidence(self, c0: int, c1: int) -> list[CanonicalEvidence]:
        """One evidence per canonical paragraph touched by ``[c0, c1)``."""
        out: list[CanonicalEvidence] = []
        i = c0
        while i < c1:
            first = self.canon[i]
            j = i
            while j + 1 < c1 and self.canon[j + 1].para == first.para:
                j += 1
            text = self._canon_text(first.field, first.para)
            start, end = first.start, self.canon[j].end
            out.append(
                CanonicalEvidence(
                    first.field, _elide(text[start:end]), first.para if first.field == "body" else None, start, end
                )
            )
            i = j + 1
        return out

    def partner_evidence(self, p0: int, p1: int) -> PartnerEvidence:
        """The partner's words ``[p0, p1)``, or the place between words when the range is empty."""
        if p1 <= p0:
            anchor = self.ptoks[p0 - 1] if p0 > 0 else (self.ptoks[0] if self.ptoks else None)
            if anchor is None:
                return PartnerEvidence("", None, None)
            block = self.blocks[anchor.block]
            return PartnerEvidence("", block.css_path, block.index)
        parts: list[str] = []
        i = p0
        while i < p1:
            b = self.ptoks[i].block
            j = i
            while j + 1 < p1 and self.ptoks[j + 1].block == b:
                j += 1
            parts.append(self.blocks[b].text[self.ptoks[i].start : self.ptoks[j].end])
            i = j + 1
        first = self.blocks[self.ptoks[p0].block]
        return PartnerEvidence(_elide(" ¶ ".join(squash(p) for p in parts)), first.css_path, first.index)

    # -- text ----------------------------------------------------------------------------------
    def _ops(self) -> list[Opcode]:
        """The alignment without the words claimed by captions, credits and bylines."""
        claimed = self.al.claimed
        out: list[Opcode] = []
        for op in self.al.opcodes:
            if op.tag != "insert" or not claimed:
                out.append(op)
                continue
            k = op.p0
            while k < op.p1:
                j = k
                if k in claimed:
                    while j < op.p1 and j in claimed:
                        j += 1
                    out.append(Opcode("claimed", op.c0, op.c0, k, j))
                else:
                    while j < op.p1 and j not in claimed:
                        j += 1
                    out.append(Opcode("insert", op.c0, op.c0, k, j))
                k = j
        return out

    def _trim(self, run: _Run) -> _Run:
        """Give back a merged edit's common prefix and suffix to the equal text."""
        c0, c1, p0, p1 = run.c0, run.c1, run.p0, run.p1
        while c0 < c1 and p0 < p1 and self.canon[c0].key == self.ptoks[p0].key:
            c0, p0 = c0 + 1, p0 + 1
        while c0 < c1 and p0 < p1 and self.canon[c1 - 1].key == self.ptoks[p1 - 1].key:
            c1, p1 = c1 - 1, p1 - 1
        return _Run(c0, c1, p0, p1)

    def text(self) -> Iterator[Difference]:
        """Cuts, additions, alterations and moves of the lead and body, in canonical order."""
        cuts: list[tuple[int, int, int]] = []  # (c0, c1, partner place)
        adds: list[tuple[int, int, int]] = []  # (p0, p1, canonical place)
        for run in (self._trim(r) for r in _runs(self._ops(), self.canon)):
            cut, add = run.c1 - run.c0, run.p1 - run.p0
            if cut and add and _same_letters(self.canon[run.c0 : run.c1], self.ptoks[run.p0 : run.p1]):
                continue  # only the word boundaries moved ("Maschinen" + "pharmazeutische" split by <br>)
            if cut and add and max(cut, add) <= settings.MAX_ALTERATION_WORDS:
                ev = self.canon_evidence(run.c0, run.c1)[0]
                yield Difference("text.alteration", ev, self.partner_evidence(run.p0, run.p1), max(cut, add))
                continue
            if cut:
                cuts.append((run.c0, run.c1, run.p0))
            if add:
                adds.append((run.p0, run.p1, run.c0))
        cuts, adds, moves = _moves(cuts, adds, [t.key for t in self.canon], [t.key for t in self.ptoks])
        for c0, c1, p0 in moves:
            ev = self.canon_evidence(c0, c1)[0]
            yield Difference("text.reorder", ev, self.partner_evidence(p0, p0 + c1 - c0), c1 - c0)
        for c0, c1, place in cuts:
            truncated = c1 == len(self.canon) and c0 > 0
            detail = (("truncated", "true"),) if truncated else ()
            for ev in self.canon_evidence(c0, c1):
                if self._shown_as_caption(ev, place):
                    continue
                words = len(comparable(ev.text).split())
                yield Difference("text.cut", ev, self.partner_evidence(place, place), words, detail=detail)
        for p0, p1, place in adds:
            where = self.canon_evidence(place, place + 1)[0] if place < len(self.canon) else None
            for b0, b1 in self._by_block(p0, p1):
                yield Difference("text.addition", where, self.partner_evidence(b0, b1), b1 - b0)

    def _shown_as_caption(self, ev: CanonicalEvidence, place: int) -> bool:
        """A whole canonical paragraph that the page shows, word for word, as an image caption there.

        Some canonical texts list a picture's caption and credit as a body paragraph; a page that
        sets the same words in the ``<figcaption>`` at that place has cut nothing, it only marked
        them up differently. The caption block must stand between the page words before and after
        the place of the cut.
        """
        if ev.field != "body" or ev.paragraph is None:
            return False
        text = self.art.body[ev.paragraph]
        words = tokenize(text)
        if not words or (ev.start, ev.end) != (words[0].start, words[-1].end):
            return False
        want = comparable(text)
        lo = self.ptoks[place - 1].block if place > 0 else 0
        hi = self.ptoks[place].block if place < len(self.ptoks) else len(self.blocks) - 1
        return any(
            f.field in ("caption", "credit")
            and f.block is not None
            and lo <= f.block <= hi
            and comparable(self.blocks[f.block].text) == want
            for f in self.al.fields
        )

    def _by_block(self, p0: int, p1: int) -> Iterator[tuple[int, int]]:
        i = p0
        while i < p1:
            j = i
            while j + 1 < p1 and self.ptoks[j + 1].block == self.ptoks[i].block:
                j += 1
            yield i, j + 1
            i = j + 1

    # -- fields ----------------------------------------------------------------------------------
    def fields(self) -> Iterator[Difference]:
        image_present = {m.index: m.element is not None for m in self.al.images}
        for f in self.al.fields:
            if f.similarity >= 1.0:
                continue
            field = "byline" if f.field == "author" else f.field
            kind = f"{field}.missing" if f.block is None else f"{field}.altered"
            if (
                f.field in ("caption", "credit")
                and f.block is None
                and f.index is not None
                and not image_present.get(f.index, True)
            ):
                kind = f"{field}.missing"
            yield self._field_diff(kind, f)

    def _field_diff(self, kind: str, f: FieldMatch) -> Difference:
        ev = CanonicalEvidence(f.field, f.canonical, f.index, 0, len(f.canonical))
        partner = None
        if f.block is not None:
            b = self.blocks[f.block]
            partner = PartnerEvidence(_elide(squash(f.text)), b.css_path, b.index)
        return Difference(kind, ev, partner, len(comparable(f.canonical).split()), round(f.similarity, 3))

    def images(self) -> Iterator[Difference]:
        for m in self.al.images:
            if m.element is None:
                img = self.art.images[m.index]
                ev = CanonicalEvidence("image", img.src, m.index, None, None)
                yield Difference("image.missing", ev, None, 1, detail=(("src", img.src),))

    # -- embeds and links ------------------------------------------------------------------------------
    def embeds(self) -> Iterator[Difference]:
        allowed = {(e.kind, e.src or "") for e in self.art.embeds}
        for el in self.al.span_elements:
            if (el.kind, el.src or "") in allowed:
                continue
            before = self.blocks[el.before_block].index if el.before_block < len(self.blocks) else None
            detail = [("element", el.kind), ("tag", el.tag)]
            if el.src:
                detail.append(("src", el.src))
            text = f"<{el.tag}{' src=' + el.src if el.src else ''}>"
            yield Difference(
                "embed.inserted", None, PartnerEvidence(_elide(text), el.css_path, before), 1, detail=tuple(detail)
            )

    def links(self) -> Iterator[Difference]:
        allowed = {comparable(link.text) for link in self.art.links}
        equal_pos: dict[int, list[tuple[int, int, int]]] = {}  # block -> (start, end, canon index)
        for op in self.al.opcodes:
            if op.tag != "equal":
                continue
            for k in range(op.p1 - op.p0):
                t = self.ptoks[op.p0 + k]
                equal_pos.setdefault(t.block, []).append((t.start, t.end, op.c0 + k))
        for b, words in equal_pos.items():
            block = self.blocks[b]
            for link in block.links:
                inside = [c for s, e, c in words if s < link.end and e > link.start]  # part of a word counts
                if not inside:
                    continue
                anchor = block.text[link.start : link.end]
                if comparable(anchor) in allowed:
                    continue
                ev = self.canon_evidence(inside[0], inside[-1] + 1)[0]
                yield Difference(
                    "link.inserted",
                    ev,
                    PartnerEvidence(_elide(squash(anchor)), block.css_path, b),
                    len(inside),
                    detail=(("href", link.href),),
                )

    def typography(self) -> Iterator[Difference]:
        """One informational difference counting words that differ only in benign ways."""
        count = 0
        example: tuple[str, str] | None = None
        for op in self.al.opcodes:
            if op.tag != "equal":
                continue
            for k in range(op.p1 - op.p0):
                c, p = self.canon[op.c0 + k], self.ptoks[op.p0 + k]
                cw = self._canon_text(c.field, c.para)[c.start : c.end]
                pw = self.blocks[p.block].text[p.start : p.end]
                if cw != pw:
                    count += 1
                    example = example or (cw, pw)
        if count and example:
            yield Difference(
                "text.typography",
                CanonicalEvidence("body", example[0]),
                PartnerEvidence(example[1]),
                count,
                detail=(("words", str(count)),),
            )


def _same_letters(canon: Sequence[CanonToken], page: Sequence[PageToken]) -> bool:
    return "".join(t.key for t in canon) == "".join(t.key for t in page)


def _moves(
    cuts: list[tuple[int, int, int]], adds: list[tuple[int, int, int]], canon: list[str], page: list[str]
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """Pair cut passages with added passages holding the same words: those are moves.

    Returns the remaining cuts and additions and the moves ``(c0, c1, p0)``. A move must be at least
    ``MIN_REORDER_WORDS`` long and most of its cut (60 %); what is left of either side stays a cut
    or an addition.
    """
    moves: list[tuple[int, int, int]] = []
    changed = True
    while changed:
        changed = False
        for ci, (c0, c1, cplace) in enumerate(cuts):
            if c1 - c0 < settings.MIN_REORDER_WORDS:
                continue
            for ai, (p0, p1, aplace) in enumerate(adds):
                m = SequenceMatcher(None, canon[c0:c1], page[p0:p1], autojunk=False).find_longest_match()
                if m.size < settings.MIN_REORDER_WORDS or m.size < 0.6 * (c1 - c0):
                    continue
                moves.append((c0 + m.a, c0 + m.a + m.size, p0 + m.b))
                cuts[ci : ci + 1] = [
                    x for x in ((c0, c0 + m.a, cplace), (c0 + m.a + m.size, c1, cplace)) if x[1] > x[0]
                ]
                adds[ai : ai + 1] = [
                    x for x in ((p0, p0 + m.b, aplace), (p0 + m.b + m.size, p1, aplace)) if x[1] > x[0]
                ]
                changed = True
                break
            if changed:
                break
    return cuts, adds, sorted(moves)


def _elide(text: str) -> str:
    limit = settings.MAX_EVIDENCE_CHARS
    if len(text) <= limit:
        return text
    half = limit // 2 - 2
    return f"{text[:half]} … {text[-half:]}"


def diff(al: Alignment) -> tuple[Difference, ...]:
    """Every difference between the canonical article and its republication, in a stable order."""
    d = _Differ(al)
    return (*d.fields(), *d.images(), *d.text(), *d.links(), *d.embeds(), *d.typography())
