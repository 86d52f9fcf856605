"""Whoosh segments written a term at a time, in Whoosh's own file format.

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
  block size, the same pickled tuples, the same term statistics; a block under COMPRESS_FROM bytes is stored
  uncompressed (its header says so, and Whoosh's reader reads it by that), which is cheaper and hardly larger for the
  one- or two-posting blocks that most terms have;
- the merger (whoosh_merge) writes its terms through `write_term` too, copies the terms that only one of its
  segments has (`copy_term`: the blocks as they are, or with the document numbers moved up) and the documents'
  stored fields as the compressed bytes they are (`copy_documents`).

What the files must hold is Whoosh's W3 codec's format (whoosh/codec/whoosh3.py): a test writes the same documents
both ways and compares the files byte for byte (with COMPRESS_FROM 0, every block compressed as Whoosh does), and
what Whoosh's reader reads from them (by default). Anything this module does not know (another codec, inlined
postings, positions, boosts) goes through Whoosh's own code.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Sequence
from hashlib import md5
from pickle import dumps, loads
from typing import Any

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3TermInfo,
)
from whoosh.filedb.filetables import _lengths, md5_hash
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from indexer.search.whoosh_arrays import blocks

_ROW = W3TermInfo._struct  # a term table row: flags, weight, postings, min/max length bytes, max weight, first/last id
_INFO = _ROW.pack
_LENGTHS = _lengths.pack  # a term table row's key and value lengths
# A block whose pickle is shorter than this many bytes is stored as it is, its header saying so (compression level
# 0), as Whoosh's reader allows. zlib gains a few bytes at most on such a block (one or two postings: 60-90 bytes,
# 3-10 fewer compressed) and compressing it costs as much as the rest of its term's work, and three terms in four of
# a commit have one or two postings. bench/write_terms.py on 800 real-news passages: 64 -> 96 bytes
# leaves zlib 13% of the blocks instead of 74% and writes a term 24% faster (57.1 -> 42.1 us) for a postings file 2%
# larger; 128 saves 1% more time for 1% more bytes. 0: every block compressed, as Whoosh's own writer does.
COMPRESS_FROM = 96


_COUNTS: dict[int, struct.Struct] = {}
_F32, _F32S = struct.Struct("f"), struct.Struct("2f")  # one weight, and two, as a block holds them: 32-bit floats


def _count_struct(n: int) -> struct.Struct:
    """How Frequency's values of an n-posting block are written: each count as Whoosh's pack_uint writes it."""
    found = _COUNTS.get(n)
    if found is None:
        found = _COUNTS[n] = struct.Struct(f"!{n}I")
    return found


_BYTES = [length_to_byte(n) for n in range(4096)]  # length_to_byte bisects a table; most lengths are small


def _byte(length: int | None) -> int:
    """length_to_byte(length) (0 for None)."""
    if length is None:
        return 0
    return _BYTES[length] if 0 <= length < 4096 else length_to_byte(length)


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


def _moved_first(data: bytes, shift: int) -> bytes | None:
    """An uncompressed block's pickle, (ids, weights, values), with its first id (the one not stored as a delta)
    `shift` higher, changed in the bytes themselves (unpickling and pickling it again cost more than the rest of a
    copied term's work); None where the pickle is not laid out as protocol 2 lays out such a tuple: the ids' tuple
    first, its first item a whole number (MARK before a tuple of more than three)."""
    if data[:2] != b"\x80\x02":
        return None
    at = 3 if data[2] == 0x28 else 2
    op = data[at]
    if op == 0x4B:  # BININT1
        value, end = data[at + 1], at + 2
    elif op == 0x4D:  # BININT2
        value, end = int.from_bytes(data[at + 1:at + 3], "little"), at + 3
    elif op == 0x4A:  # BININT
        value, end = int.from_bytes(data[at + 1:at + 5], "little", signed=True), at + 5
    else:
        return None
    value += shift
    if 0 <= value < 256:
        code = b"K" + bytes((value,))
    elif 0 <= value < 65536:
        code = b"M" + value.to_bytes(2, "little")
    elif value < 2 ** 31:
        code = b"J" + value.to_bytes(4, "little", signed=True)
    else:
        return None
    return data[:at] + code + data[end:]


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

    def tell(self) -> int:
        """Where the next term's postings start in the postings file (its term-table row says so)."""
        return self._post.tell()

    def write_term(self, btext: bytes, ids: Sequence[int], weights: Sequence[float],
                   lengths: Sequence[int | None] | None, counts: Sequence[int] | None = None) -> None:
        """One term's postings: document numbers ascending (ints), weights (floats) and, for a Frequency field,
        the counts (its values; the weights, unboosted, by default). `lengths`: the field's length in each document
        of the segment by number, as Whoosh's length reader gives it (0 or None for none; `Lengths.column`), or
        None without lengths. What W3PostingsWriter and W3FieldWriter write for the same postings, block by
        block, but for the small blocks left uncompressed (COMPRESS_FROM)."""
        post, limit = self._post, self._limit
        n = len(ids)
        if n <= limit:  # nearly every term: one block, and its statistics are the term's
            self._whole(btext, ids, weights, lengths, counts)
            return
        start = post.tell()
        post.write(WHOOSH3_HEADER_MAGIC)
        total = 0.0
        maxweight: float = 0
        minlength = None
        maxlength = 0
        for b in range(0, n, limit):
            e = b + limit
            top, subtotal, low, high = self._block(ids[b:e], weights[b:e], None if counts is None else
                                                   counts[b:e], lengths, e >= n)
            total += subtotal
            maxweight = max(maxweight, top)
            if low is not None:
                minlength = low if minlength is None else min(minlength, low)
            maxlength = max(maxlength, high)
        row = _INFO(False, total, n, _byte(minlength), _byte(maxlength), maxweight, ids[0], ids[-1])
        self._add(self._prefix + btext, row + pack_long(start) + pack_int(post.tell() - start))

    def _whole(self, btext: bytes, ids: Sequence[int], weights: Sequence[float],
               lengths: Sequence[int | None] | None, counts: Sequence[int] | None) -> None:
        """`write_term` for a term whose postings fit in one block (nearly every term): the same bytes as
        `_block` and the term's row. Three terms in four of a commit have one or two postings, and their steps
        are its cost, so those two are spelled out without lists (bench/write_terms.py, 1,200 passages: 24.5 -> 20.8
        us a term with one posting, 29.9 -> 21.9 with two)."""
        post = self._post
        start = post.tell()
        n, first, last = len(ids), ids[0], ids[-1]
        values: bytes | None = None
        if n <= 2:
            lo = lengths[first] if lengths else None
            hi = lengths[last] if lengths else None
            low = (lo if not hi or hi > lo else hi) if lo else hi  # the shorter length present (0 and None: none)
            high = (lo if not hi or lo > hi else hi) if lo else hi
            low, high = (_byte(low), _byte(high)) if low else (0, 0)
            if n == 1:
                total = _F32.unpack(_F32.pack(weights[0]))[0]  # Whoosh holds a block's weights as 32-bit floats
                top = weights[0]
                deltas: tuple[int, ...] = (first,)
                mini: Any = None if total == 1.0 else total
            else:
                wa, wb = _F32S.unpack(_F32S.pack(weights[0], weights[1]))
                total = 0.0 + wa + wb
                top = weights[0] if weights[0] >= weights[1] else weights[1]
                deltas = (first, last - first)
                mini = (None if wa == 1.0 else wa) if wa == wb else (wa, wb)
            if self._sized:
                values = _count_struct(n).pack(*(counts if counts is not None else [int(x) for x in weights]))
        else:
            present = [x for d in ids if (x := lengths[d])] if lengths else None
            low, high = (_byte(min(present)), _byte(max(present))) if present else (0, 0)
            stored = array("f", weights).tolist()
            total = sum(stored, 0.0)
            top = max(weights)
            w = stored[0]
            deltas = (first, *[b - a for a, b in zip(ids, ids[1:])])
            mini = (None if w == 1.0 else w) if stored.count(w) == n else tuple(stored)
            if self._sized:
                values = _count_struct(n).pack(*(counts if counts is not None else [int(x) for x in weights]))
        if top <= 0:
            top = 0  # the block's maximum starts at the integer 0
        level, data = self._stored(dumps((deltas, mini, values), 2))
        info = dumps((n, last, top, level, low, high), 2)
        size = len(info) + len(data)
        post.write(WHOOSH3_HEADER_MAGIC + pack_int(-size) + info + data)
        row = _INFO(False, total, n, low, high, top, first, last)
        self._add(self._prefix + btext, row + pack_long(start) + pack_int(post.tell() - start))

    def _block(self, bids: Sequence[int], bweights: Sequence[float], bcounts: Sequence[int] | None,
               lengths: Sequence[int | None] | None, final: bool) -> tuple[float, float, int | None, int]:
        """Write one block of a term's postings (at most the codec's block limit); its highest weight, the sum of
        its weights as stored, and the shortest and longest field length among its documents (None and 0: none)."""
        nb = len(bids)
        present = [x for d in bids if (x := lengths[d])] if lengths else None
        low = min(present) if present else None
        high = max(present) if present else 0
        top = max(bweights)
        if top <= 0:
            top = 0  # the block's maximum starts at the integer 0
        stored = array("f", bweights).tolist()  # Whoosh holds a block's weights as 32-bit floats
        total = sum(stored, 0.0)
        first = bids[0]
        deltas = (first,) if nb == 1 else (first, *[b - a for a, b in zip(bids, bids[1:])])
        w = stored[0]
        mini: Any = (None if w == 1.0 else w) if stored.count(w) == nb else tuple(stored)
        if self._sized:
            values = _count_struct(nb).pack(*(bcounts if bcounts is not None else [int(x) for x in bweights]))
        else:
            values = None
        level, data = self._stored(dumps((deltas, mini, values), 2))
        info = dumps((nb, bids[-1], top, level, _byte(low), _byte(high)), 2)
        size = len(info) + len(data)
        self._post.write(pack_int(-size if final else size) + info + data)
        return top, total, low, high

    def _stored(self, data: bytes) -> tuple[int, bytes]:
        """A block's pickle as it is stored, with its compression level: plain under COMPRESS_FROM bytes, else
        compressed (a small block's compressed bytes kept by its pickle: many blocks of a segment are alike)."""
        level = self._level if len(data) >= COMPRESS_FROM else 0
        if not level:
            return 0, data
        small = len(data) < 64  # with COMPRESS_FROM 0
        found = self._packed.get(data) if small else None
        if found is None:
            found = zlib.compress(data, level)
            if small:
                self._packed[data] = found
        return level, found

    def copy_term(self, btext: bytes, row: bytes, extent: bytes, shift: int) -> None:
        """A term whose postings all come from one segment of a merge (`row`: its term-table row there, `extent`:
        its posting blocks), its documents kept in order and numbered `shift` higher: the blocks copied as they are
        (shift 0) or with each block's first id and last id moved up (the other ids are deltas), the row with its
        new place and first and last ids; its statistics and lengths are the same documents'. A merge's terms
        mostly occur in one of its segments (a word pair, a rare word): decoding them and writing them again was
        most of its time."""
        if shift:
            extent = self._shifted(extent, shift)
        post = self._post
        start = post.tell()
        post.write(extent)
        if shift:
            flags, weight, df, low, high, top, first, last = _ROW.unpack_from(row)
            head = _INFO(flags, weight, df, low, high, top, first + shift, last + shift)
        else:
            head = row[:_ROW.size]
        self._add(self._prefix + btext, head + pack_long(start) + pack_int(len(extent)))

    def _shifted(self, extent: bytes, shift: int) -> bytes:
        """A term's posting blocks with the document numbers moved up by `shift`; a plain block's first id moved in
        its bytes (`_moved_first`), another one's block stored plain or compressed by COMPRESS_FROM, as
        `write_term` stores it."""
        out = [WHOOSH3_HEADER_MAGIC]
        for (count, last, top, level, low, high), data, final in blocks(extent):
            moved = None if level else _moved_first(data, shift)
            if moved is None:
                deltas, weights, values = loads(zlib.decompress(data) if level else data)
                level, data = self._stored(dumps(((deltas[0] + shift,) + deltas[1:], weights, values), 2))
            else:
                data = moved
            info = dumps((count, last + shift, top, level, low, high), 2)
            out += [pack_int(-(len(info) + len(data)) if final else len(info) + len(data)), info, data]
        return b"".join(out)

    def _add(self, key: bytes, value: bytes) -> None:
        """OrderedHashWriter.add(key, value): the term table's row, its place in the ordered index and the hash."""
        tindex, tfile = self._tindex, self._tfile
        if key <= tindex.lastkey:
            raise ValueError(f"terms must increase: {tindex.lastkey!r}..{key!r}")
        pos = tfile.tell()
        tindex.index.append(pos)
        tfile.write(_LENGTHS(len(key), len(value)) + key + value)
        if tindex.hashfn is md5_hash:  # its low 32 bits, without the hex string between
            h = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")
        else:
            h = tindex.hashfn(key)
        tindex.buckets[h & 255].append((h, pos))
        tindex.lastkey = key
