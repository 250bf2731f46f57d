"""The redline: the article as the partner published it against the canonical, word by word.

Part of the diff stage. :func:`redline` turns the word alignment into a flat list of
:class:`~checker.models.Segment` — canonical text kept (``equal``), canonical text missing on the
partner page (``delete``) and partner text the canonical does not have (``insert``) — in reading
order, each tied to its canonical paragraph (``-1`` for the lead) or, for a paragraph the partner
added, to its page block. Reports carry it so that the HTML report can show cuts struck through
and additions marked inline without re-running anything. Equal text is shown in the canonical's
own spelling: benign typographic differences (spaces, apostrophes, entities) are not differences.
Words the alignment gave to a caption, credit or byline are not article text and are left out.
"""

from __future__ import annotations

from checker.align import Alignment
from checker.models import Segment


class _Builder:
    def __init__(self, al: Alignment) -> None:
        self.al = al
        self.out: list[Segment] = []
        self.spans: dict[int, tuple[int, int]] = {}  # index in out of an insert -> its span in its block
        self.cursor: dict[int, int] = {}  # canonical paragraph -> characters emitted
        self.para: int | None = None  # the canonical paragraph being written
        self.last_op = "equal"
        # Page block -> the canonical paragraph its first aligned word belongs to: partner words
        # inserted in that block are shown inside that paragraph, others as a paragraph of their own.
        self.block_para: dict[int, int] = {}
        for op in al.opcodes:
            if op.tag == "equal":
                for k in range(op.c1 - op.c0):
                    self.block_para.setdefault(al.page_tokens[op.p0 + k].block, al.canon_tokens[op.c0 + k].para)

    def text_of(self, para: int) -> str:
        art = self.al.article
        return (art.lead or "") if para == -1 else art.body[para]

    def emit(self, op: str, text: str, paragraph: int | None, block: int | None) -> None:
        if text:
            self.out.append(Segment(op, text, paragraph, block))

    def wordless(self, until: int) -> None:
        """Paragraphs before *until* without a single word ("***", "___"): shown as they are."""
        start = -1 if self.para is None else self.para + 1
        for para in range(max(start, -1 if self.al.article.lead else 0), until):
            if para not in self.cursor:
                self.emit("equal", self.text_of(para), para, None)
                self.cursor[para] = len(self.text_of(para))

    def canonical_words(self, c0: int, c1: int, op: str, p0: int | None = None) -> None:
        """Canonical words ``[c0, c1)`` kept (``equal``, aligned with page words from *p0*) or cut,
        emitted as one slice of the paragraph's text per paragraph (and per page block)."""
        canon = self.al.canon_tokens
        ptoks = self.al.page_tokens
        k = c0
        while k < c1:
            para = canon[k].para
            block = ptoks[p0 + k - c0].block if p0 is not None else None
            j = k
            while j + 1 < c1 and canon[j + 1].para == para and (p0 is None or ptoks[p0 + j + 1 - c0].block == block):
                j += 1
            self.chunk(k, j, op, block)
            k = j + 1

    def chunk(self, k: int, j: int, op: str, block: int | None) -> None:
        """Canonical words ``k..j`` (one paragraph): the gap before them, them, and the paragraph's
        closing punctuation when *j* is its last word."""
        canon = self.al.canon_tokens
        first, last = canon[k], canon[j]
        if first.para != self.para:
            self.wordless(first.para)
            self.para = first.para
            self.last_op = op
        text = self.text_of(first.para)
        start = self.cursor.get(first.para, 0)
        self.emit(op if op == self.last_op else "equal", text[start : first.start], first.para, block)
        end = len(text) if j + 1 == len(canon) or canon[j + 1].para != last.para else last.end
        self.emit(op, text[first.start : end], first.para, block)
        self.cursor[first.para] = end
        self.last_op = op

    def partner_words(self, p0: int, p1: int) -> None:
        al = self.al
        j = p0
        while j < p1:
            if j in al.claimed:
                j += 1
                continue
            first = al.page_tokens[j]
            k = j
            while k + 1 < p1 and k + 1 not in al.claimed and al.page_tokens[k + 1].block == first.block:
                k += 1
            last = al.page_tokens[k]
            block_text = al.page.blocks[first.block].text
            # Closing punctuation of the inserted words, up to the block's next word.
            nxt = al.page_tokens[k + 1] if k + 1 < len(al.page_tokens) else None
            end = nxt.start if nxt is not None and nxt.block == first.block else len(block_text)
            tail = block_text[last.end : end].rstrip()
            # Opening punctuation (« ¿ — <) too, when these are the block's first words.
            prev = al.page_tokens[j - 1] if j > 0 else None
            begin = first.start if prev is not None and prev.block == first.block else 0
            head = block_text[begin : first.start].lstrip()
            piece = head + block_text[first.start : last.end] + tail
            para = self.block_para.get(first.block)
            if para != self.para:  # a paragraph of the partner's own: shown apart (result())
                para = None
            self.out.append(Segment("insert", piece, para, first.block))
            self.spans[len(self.out) - 1] = (first.start - len(head), last.end + len(tail))
            j = k + 1

    def result(self) -> tuple[Segment, ...]:
        """Each change (the segments between two equal ones) as its deletions, then its insertions;
        insertions from one page block joined with the block's own text between them."""
        out: list[Segment] = []
        i, n = 0, len(self.out)
        while i < n:
            if self.out[i].op == "equal":
                _append(out, self.out[i])
                i += 1
                continue
            j = i
            while j < n and (
                self.out[j].op != "equal"
                or (not self.out[j].text.strip() and j + 1 < n and self.out[j + 1].op != "equal")
            ):
                j += 1
            for seg in self.out[i:j]:  # the spaces between the change's words, then what was cut
                if seg.op == "equal":
                    _append(out, seg)
            for seg in self.out[i:j]:
                if seg.op == "delete":
                    _append(out, seg)
            merged: list[tuple[Segment, int, int]] = []
            for k in range(i, j):
                seg = self.out[k]
                if seg.op != "insert":
                    continue
                start, end = self.spans[k]
                if merged and merged[-1][0].block == seg.block and merged[-1][0].paragraph == seg.paragraph:
                    prev, pstart, pend = merged[-1]
                    merged[-1] = (prev, min(pstart, start), max(pend, end))
                else:
                    merged.append((seg, start, end))
            for seg, start, end in merged:
                assert seg.block is not None
                text = self.al.page.blocks[seg.block].text[start:end]
                inline = seg.paragraph is not None
                out.append(Segment("insert", f" {text} " if inline else text, seg.paragraph, seg.block))
            i = j
        return tuple(out)


def _append(out: list[Segment], seg: Segment) -> None:
    """Append *seg*, joining it to the previous segment when both are the same op in one paragraph
    and one page block (a gap, without a block, joins either side)."""
    if out:
        prev = out[-1]
        same_block = prev.block is None or seg.block is None or prev.block == seg.block
        if prev.op == seg.op and prev.paragraph == seg.paragraph and seg.op != "insert" and same_block:
            out[-1] = Segment(
                seg.op, prev.text + seg.text, seg.paragraph, prev.block if prev.block is not None else seg.block
            )
            return
    out.append(seg)


def redline(al: Alignment) -> tuple[Segment, ...]:
    """The alignment as equal / delete / insert segments in reading order (see the module docstring)."""
    b = _Builder(al)
    for op in al.opcodes:
        if op.tag == "equal":
            b.canonical_words(op.c0, op.c1, "equal", op.p0)
        elif op.tag == "delete":
            b.canonical_words(op.c0, op.c1, "delete")
        elif op.tag == "insert":
            b.partner_words(op.p0, op.p1)
    b.wordless(len(al.article.body))
    return b.result()
