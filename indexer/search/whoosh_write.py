"""Whoosh segments written a term at a time: the same files, byte for byte, as Whoosh's own writer makes.

Why: at 100,000 passages a commit spent half its time in Whoosh's segment writer and most of the rest feeding it
(profile of 5,063 real-news passages in 9 commits: 27.5 s of 54.8 s writing the postings, 7.6 s adding the
documents). Whoosh hands every posting through a tuple, a sorting pool (which sorts all of them as tuples) and
four method calls, then writes each term's block through a dozen more; nearly every term here occurs in a few
passages only (a commit of 560 passages makes 24,000 terms, most of them word pairs), so the per-term and per-posting
calls are the work. Here:

- `Postings` stands in for the writer's pool: the documents' space-separated fields are counted with one regular
  expression and a Counter per field, and each term's postings are kept as lists in document order (nothing to sort
  but the terms);
- `write_term` writes a term's postings (arrays in document order) in Whoosh's block format directly: the same
  block size, the same pickled and compressed tuples, the same term statistics;
- the merger (whoosh_merge) writes its terms through `write_term` too.

What the files must hold is Whoosh's W3 codec's format (whoosh/codec/whoosh3.py): a test writes the same documents
both ways and compares the files. Anything this module does not know (another codec, inlined postings, positions,
boosts) goes through Whoosh's own code.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections import Counter
from collections.abc import Sequence
from pickle import dumps
from typing import Any

from whoosh.analysis import RegexTokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.filedb.filetables import _lengths
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_int, pack_long, pack_ushort, unpack_uint
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

_INFO = W3TermInfo._struct.pack
_LENGTHS = _lengths.pack  # a term table row's key and value lengths


def _counts(n: int, *counts: int) -> bytes:
    """Frequency's values of a block: each count as Whoosh's pack_uint writes it."""
    return struct.pack(f"!{n}I", *counts)


def supported(writer: Any) -> bool:
    """Whether `write_term` writes this writer's segments as Whoosh would: one process's writer (Whoosh's
    multi-process one reads its pool's sorted runs), the W3 codec without inlined postings, and only formats whose
    values are empty (Existence) or the count (Frequency), unboosted."""
    codec = writer.codec
    if type(writer) is not SegmentWriter or type(codec) is not W3Codec or codec._inlinelimit > 1:
        return False
    if type(writer.fieldwriter) is not W3FieldWriter:
        return False
    schema = writer.schema
    return all(type(schema[n].format) in (Existence, Frequency) and schema[n].format.field_boost == 1.0
               and not schema[n].vector and not schema[n].separate_spelling()
               for n in schema.names() if schema[n].indexed)


class Terms:
    """A W3 field writer's files, written a whole term at a time (see `write_term`)."""

    def __init__(self, fieldwriter: Any) -> None:
        self._fw = fieldwriter
        self._post = fieldwriter._postfile.file  # the files themselves: StructFile adds a call to every write
        self._tindex = fieldwriter._tindex
        self._tfile = self._tindex.dbfile.file
        self._limit = fieldwriter._codec._blocklimit
        self._level = fieldwriter._codec._compression
        self._prefix = b""
        self._sized = False  # the field's values are 4-byte counts (Frequency), else none (Existence)
        # A small block's compressed data by its pickle: most terms occur once in one passage or in two that
        # overlap, so many blocks of a segment are the same bytes (compressing a few bytes costs about as much as
        # the term's other work together)
        self._packed: dict[bytes, bytes] = {}

    def start_field(self, name: str, fieldobj: Any) -> None:
        self._fw.start_field(name, fieldobj)
        self._prefix = pack_ushort(self._fw._fieldid)
        self._sized = bool(fieldobj.format.fixed_value_size())

    def finish_field(self) -> None:
        self._fw.finish_field()

    def write_term(self, btext: bytes, ids: Sequence[int], weights: Sequence[float],
                   lengths: Sequence[int | None] | None, counts: Sequence[int] | None = None) -> None:
        """One term's postings: document numbers ascending (ints), weights (floats) and, for a Frequency field,
        the counts (its values; the weights, unboosted, by default). `lengths`: the field's length in each document
        of the segment by number, as Whoosh's length reader gives it (0 or None for none; `Lengths.column`), or
        None without lengths. What W3PostingsWriter and W3FieldWriter write for the same postings, block by
        block."""
        post, limit, level, packed = self._post, self._limit, self._level, self._packed
        start = post.tell()
        total = 0.0
        maxweight: float = 0
        minlength: int | None = None
        maxlength = 0
        n = len(ids)
        for b in range(0, n, limit):
            bids, bweights = ids[b:b + limit], weights[b:b + limit]
            bcounts = counts[b:b + limit] if counts is not None else [int(w) for w in bweights]
            present = [x for x in (lengths[d] for d in bids) if x] if lengths else []
            low = min(present) if present else None
            high = max(present) if present else 0
            top = max(bweights)
            if top <= 0:
                top = 0  # the block's maximum starts at the integer 0
            stored = array("f", bweights).tolist()  # Whoosh holds a block's weights as 32-bit floats
            total += sum(stored)
            maxweight = max(maxweight, top)
            if b == 0:
                post.write(WHOOSH3_HEADER_MAGIC)
            if minlength is None or low is None:
                minlength = low if minlength is None else minlength
            else:
                minlength = min(minlength, low)
            maxlength = max(maxlength, high)
            deltas = [bids[0]] + [bids[i] - bids[i - 1] for i in range(1, len(bids))]
            if all(w == 1.0 for w in stored):
                mini: Any = None
            elif all(w == stored[0] for w in stored):
                mini = stored[0]
            else:
                mini = tuple(stored)
            values = _counts(len(bcounts), *bcounts) if self._sized else None
            data = dumps((tuple(deltas), mini, values), 2)
            if level:
                small = len(data) < 64
                found = packed.get(data) if small else None
                if found is None:
                    found = zlib.compress(data, level)
                    if small:
                        packed[data] = found
                data = found
            info = dumps((len(bids), bids[-1], top, level, length_to_byte(low), length_to_byte(high)), 2)
            size = len(info) + len(data)
            post.write(pack_int(-size if b + limit >= n else size))
            post.write(info)
            post.write(data)
        row = _INFO(False, total, n, 0 if minlength is None else length_to_byte(minlength),
                    length_to_byte(maxlength), maxweight, ids[0], ids[-1])
        self._add(self._prefix + btext, row + pack_long(start) + pack_int(post.tell() - start))

    def _add(self, key: bytes, value: bytes) -> None:
        """OrderedHashWriter.add(key, value): the term table's row, its place in the ordered index and the hash."""
        tindex, tfile = self._tindex, self._tfile
        if key <= tindex.lastkey:
            raise ValueError(f"terms must increase: {tindex.lastkey!r}..{key!r}")
        pos = tfile.tell()
        tindex.index.append(pos)
        tfile.write(_LENGTHS(len(key), len(value)))
        tfile.write(key)
        tfile.write(value)
        h = tindex.hashfn(key)
        tindex.buckets[h & 255].append((h, pos))
        tindex.lastkey = key


class Postings:
    """In place of a SegmentWriter's pool (`install`): each term's postings in document order, written by
    `write_term` when the segment is flushed. `add` takes Whoosh's posting tuples (its merge path, other fields);
    `add_document` counts the space-separated fields itself."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self._spaced = {name for name in writer.schema.names() if _spaced(writer.schema[name])}
        self._terms: dict[str, dict[bytes, tuple[list[int], list[float], list[int]]]] = {}  # ids, weights, counts
        self._ordered = True
        self.size = 0  # postings held

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, value = item  # the value is the count or empty: see `supported`
        ids, weights, counts = self._terms.setdefault(fieldname, {}).setdefault(btext, ([], [], []))
        if ids and docnum <= ids[-1]:
            self._ordered = False
        ids.append(docnum)
        weights.append(weight)
        counts.append(unpack_uint(value)[0] if value else 0)
        self.size += 1

    def add_document(self, fields: dict[str, Any]) -> None:
        """What SegmentWriter.add_document does, with the space-separated fields counted here."""
        writer = self._writer
        writer._check_state()
        perdoc, schema, docnum = writer.perdocwriter, writer.schema, writer.docnum
        names = sorted(fields)
        writer._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if name in self._spaced:
                    if not isinstance(value, str):
                        raise ValueError(f"{value!r} is not unicode")
                    counts = Counter(field.analyzer.expression.findall(value))
                    if counts:
                        self.size += len(counts)
                        terms = self._terms.setdefault(name, {})
                        for text, count in counts.items():
                            ids, weights, freqs = terms.setdefault(text.encode("utf-8"), ([], [], []))
                            ids.append(docnum)
                            weights.append(float(count))
                            freqs.append(count)
                    length = sum(counts.values()) if field.scorable else 0
                elif field.indexed:
                    for btext, freq, weight, vbytes in field.index(value):
                        length += freq if field.scorable else 0
                        self.add((name, btext, docnum, weight, vbytes))
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type and value is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        writer._added = True
        writer.docnum += 1

    def flush(self, lengths: Any) -> None:
        """Write every term into the writer's field writer (the segment's postings and term table)."""
        terms = Terms(self._writer.fieldwriter)
        schema = self._writer.schema
        for name in sorted(self._terms):
            fieldterms = self._terms[name]
            column = lengths.column(name) if lengths is not None else None
            terms.start_field(name, schema[name])
            for btext in sorted(fieldterms):
                ids, weights, counts = fieldterms[btext]
                if not self._ordered:
                    ids, weights, counts = _in_order(ids, weights, counts)
                terms.write_term(btext, ids, weights, column, counts)
            terms.finish_field()

    def cleanup(self) -> None:
        self._terms.clear()


def _spaced(field: Any) -> bool:
    """A field Whoosh indexes as its whitespace-separated words with their counts (a TEXT field with
    SpaceSeparatedTokenizer and no filter, unboosted)."""
    ana: Any = field.analyzer if field.indexed else None
    return (type(ana) is RegexTokenizer and not ana.gaps and ana.expression.pattern == r"[^ \t\r\n]+"
            and type(field.format) is Frequency and field.format.field_boost == 1.0)


def _in_order(ids: list[int], weights: list[float], counts: list[int]) -> tuple[list[int], list[float], list[int]]:
    rows = sorted(zip(ids, weights, counts))
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


class Lengths:
    """A segment's field lengths, read once per field, as Whoosh's per-document reader gives them."""

    def __init__(self, reader: Any, fields: Any, count: int) -> None:
        try:
            self._lengths = {f: [reader.doc_field_length(d, f) for d in range(count)] for f in fields}
        finally:
            reader.close()

    def column(self, fieldname: str) -> list[int | None]:
        return self._lengths[fieldname]



def install(writer: Any) -> Any:
    """The writer's pool replaced by `Postings` and its flush by `flush_segment`, where `supported`; returns the
    writer. Its own pool is cleared first (it holds nothing yet)."""
    if supported(writer) and not writer._added:
        writer.pool.cleanup()
        writer.pool = Postings(writer)
        writer._flush_segment = lambda: flush_segment(writer)
    return writer


def add_document(writer: Any, fields: dict[str, Any]) -> None:
    """`writer.add_document(**fields)`, faster where `install` took."""
    pool = writer.pool
    if isinstance(pool, Postings) and not any(name.startswith("_") for name in fields):
        pool.add_document(fields)
    else:
        writer.add_document(**fields)


def flush_segment(writer: Any) -> None:
    """SegmentWriter._flush_segment for a writer with `Postings`."""
    writer.perdocwriter.close()
    lengths = None
    if writer.codec.length_stats:
        names = [n for n in writer.schema.names() if writer.schema[n].indexed]
        lengths = Lengths(writer.per_document_reader(), names, writer.docnum)
    writer.pool.flush(lengths)
    writer.fieldwriter.close()
