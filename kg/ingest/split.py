"""Split a decompressed byte stream at record boundaries, so each record is parsed on its own.

Why: one XML parser over a whole file dies at the first broken record, and a stream that cannot be
re-read (gzip, stdin) then loses everything after it. Cutting the bytes at record start tags first makes
every delivery recover at the next record, as plain files do; a record that lacks its end tag is cut at
the next record's start tag, so it is rejected alone instead of swallowing its neighbour.

Memory stays bounded whatever the input: a record larger than `MAX_RECORD_BYTES` is rejected and skipped
without being held, and bytes between records (whitespace, the document element's tags) are checked and
dropped block by block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO, Callable, Iterator

# A record larger than this is rejected without being parsed. PubMed's largest records (thousands of
# investigators) are a few MB; BioC and JATS documents with their annotations rarely pass 5 MB.
MAX_RECORD_BYTES = 32 << 20
BLOCK = 1 << 22  # bytes read at a time: big enough that the regex scan dominates, small next to the limit
_KEEP = 64  # bytes kept back between blocks so that a start tag cut by a block edge is still found


@dataclass(frozen=True)
class Piece:
    """One record's bytes (`tag` set, `problem` None), or a stretch that cannot be one (`problem` set).

    `line` is the 1-based line of the piece's first byte in the decompressed stream.
    """

    data: bytes
    line: int
    tag: str | None
    problem: str | None = None


def split_records(stream: IO[bytes], tags: tuple[str, ...], *,
                  gap_problem: Callable[[bytes], str | None] | None = None,
                  max_record: int | None = None, block: int = BLOCK) -> Iterator[Piece]:
    """Yield each record element named in `tags` as bytes, from its start tag through its end tag.

    A record runs from its start tag to the next record's start tag; the bytes after its last end tag
    are "between records" and go to `gap_problem`, which returns what is wrong with them (or None).
    A record with no end tag, or larger than `max_record`, comes out as a `Piece` with a problem.
    Reading errors of the stream itself propagate (the caller names them).
    """
    max_record = max_record or MAX_RECORD_BYTES  # read at call time, so a test may lower it
    names = b"|".join(re.escape(t.encode()) for t in tags)
    start_re = re.compile(rb"<(" + names + rb")[\s>/]")
    too_large = f"larger than {max_record >> 20} MB: rejected without being read"
    closes = {t.encode(): (t, b"</" + t.encode() + b">") for t in tags}  # start tag name -> (name, end tag)
    buf = b""
    line = 1  # line number of buf[0]
    eof = False
    skipping = False  # inside an oversized record: drop bytes up to the next record start
    ahead: re.Match[bytes] | None = None  # the next record's start, found while ending the last one

    def gap(data: bytes, at: int) -> Iterator[Piece]:
        if gap_problem is not None and data.strip():
            problem = gap_problem(data)
            if problem:
                yield Piece(b"", at, None, problem)

    while True:
        if not eof:
            more = stream.read(block)
            if more:
                buf += more
            else:
                eof = True
        pos = 0
        while pos < len(buf):
            safe = len(buf) if eof else max(pos, len(buf) - _KEEP)  # how far bytes with no start may go
            if skipping:
                first = None
            elif ahead is not None and ahead.start() == pos:  # found already: no second match
                first = ahead
            else:
                first = start_re.match(buf, pos)
            ahead = None
            if first is None:  # gap bytes, or the rest of an oversized record: up to the next record start
                nxt = start_re.search(buf, pos)
                cut = nxt.start() if nxt is not None else safe
                if not skipping:
                    yield from gap(buf[pos:cut], line)
                line += buf.count(b"\n", pos, cut)
                pos = cut
                if nxt is None:
                    break
                skipping = False
                continue
            tag, close = closes[first.group(1)]
            nxt = start_re.search(buf, first.end())
            if nxt is None and not eof:
                if len(buf) - pos > max_record:
                    # A whole record followed by a flood of bytes before the next one: the record is kept,
                    # the flood goes through the gap branch block by block.
                    k = buf.rfind(close, pos, pos + max_record)
                    if k >= 0:
                        k += len(close)
                        yield Piece(buf[pos:k], line, tag)
                        line += buf.count(b"\n", pos, k)
                        pos = k
                        continue
                    yield Piece(b"", line, tag, f"record <{tag}> is {too_large}")
                    skipping = True
                    pos = first.start() + 1 + len(tag)  # past the name: the next search finds the next record
                    continue
                break  # the record goes on in the next block
            end = nxt.start() if nxt is not None else len(buf)
            # Offsets into buf rather than a copy of the record's stretch: one slice per record, the Piece.
            if end - pos > max_record and buf.rfind(close, pos, pos + max_record) < 0:
                yield Piece(b"", line, tag, f"record <{tag}> is {too_large}")
                line += buf.count(b"\n", pos, end)
            else:
                k = buf.rfind(close, pos, min(end, pos + max_record + len(close)))
                if k < 0:
                    yield Piece(buf[pos:end], line, tag, f"record <{tag}> has no </{tag}> end tag " +
                                ("(the input ends inside it)" if nxt is None else "before the next record starts"))
                    line += buf.count(b"\n", pos, end)
                else:
                    k += len(close)
                    yield Piece(buf[pos:k], line, tag)
                    line += buf.count(b"\n", pos, k)
                    if k < end:
                        yield from gap(buf[k:end], line)
                        line += buf.count(b"\n", k, end)
            ahead = nxt
            pos = end
        buf = buf[pos:]
        ahead = None  # its offsets were into the old buffer
        if eof:
            return
