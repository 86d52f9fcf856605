"""Whoosh's full-text questions answered over posting lists read as numpy arrays.

Why: Whoosh walks postings one at a time in Python (a matcher per term, unions and intersections of matchers, a
collector, four method calls a posting). At 100,000 passages a keyword query's common words match tens of thousands
of passages, which cost 100-300 ms of that walking, and a quote's query more. The postings themselves are stored in
blocks of 128 (document numbers as deltas, weights), read block by block they cost microseconds, and numpy sums,
intersects and ranks them in a few passes. Scores are Whoosh's own for the same query tree (`Saturated`: BM25's
saturating term frequency times idf; sums for `AnyOf` and `AllOf`, the best part for `BestOf`; a term's boost), so
this changes the speed, not the ranking.

Segments never change once written, so a term's postings in a segment are read once and kept: a large segment's
decoded on disk beside it (whoosh_decoded), a small one's, or a large one's before its file is there, in memory
(`PostingCache`, least recently used out first, bounded in bytes); what does change, the deleted documents of a
segment, is applied per reader (`Leaves`).
"""

from __future__ import annotations

import io
import logging
import pickle
import struct
import threading
import time
import zlib
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo, W3TermsReader
from whoosh.filedb.filetables import _lengths
from whoosh.matching import Matcher
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from indexer.config import lenient_number
from indexer.search.terms import AllOf, BestOf, CountOf, Q, Term
from indexer.search.whoosh_decoded import Decoded, decode_later, open_decoded, wanted

log = logging.getLogger(__name__)
K1 = 1.2  # BM25's saturation of term frequency (`Saturated`)


def saturated(idf: Any, weight: Any) -> Any:
    """BM25's saturating term frequency times idf (floats or arrays): the score of `Saturated`, Whoosh's weighting
    for its own searches, and of the posting arrays here."""
    return idf * weight * (K1 + 1) / (weight + K1)
CACHE_MB = 1024.0  # the posting arrays one process may keep: the common words' lists, read by most queries (a
# bound, not an allocation: 77 MB filled at 100,000 passages, 744 MB at a million)


def _cache_bytes() -> int:
    """CLIPINDEX_POSTING_CACHE_MB, or CACHE_MB when unset (infinity refused too)."""
    mb = lenient_number("CLIPINDEX_POSTING_CACHE_MB", CACHE_MB, float, "a number of megabytes >= 0", most=1e6)
    return int(mb * (1 << 20))


CACHE_BYTES = _cache_bytes()
ENTRY_OVERHEAD = 200  # bytes a cache entry costs besides its arrays (key, tuple, dict slot)
DENSE_FRACTION = 16  # a union of more postings than 1/16 of the documents is summed in a dense array

Postings = tuple[np.ndarray, np.ndarray]  # (document numbers, ascending, int64; scores or weights, float64)
EMPTY: Postings = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
_ROW_LENGTHS = _lengths.unpack_from  # a term table row's key and value lengths
_ROW_SIZE = W3TermInfo._struct.size  # a row's value: the term's statistics, then where its postings lie
_EXTENT = struct.Struct("!qi")  # pack_long and pack_int: the postings' offset and length
TABLE_CHUNK = 1 << 22  # bytes of a term table read at once (a large segment's table is hundreds of MB)
NONE = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))  # a segment's empty list, as read
RECHECK_S = 2.0  # how often a reader looks again for the decoded files its large segments lacked


class PostingCache:
    """One segment's posting list of a term as (ids, weights), by (segment, field, term); least recently used
    evicted past `max_bytes`. Shared by every reader of the process: readers of later commits reuse the lists of
    the segments they keep."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str, str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str, str], read: Any) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = read()  # outside the lock: other threads' lookups go on while this one reads from disk
        size = _cost(found)
        with self._lock:
            if key not in self._entries and size <= self.max_bytes:
                self._entries[key] = found
                self._bytes += size
                while self._bytes > self.max_bytes:
                    self._bytes -= _cost(self._entries.popitem(last=False)[1])
        return found

    def keep_only(self, folder: str, segments: set[str]) -> None:
        """Drop the lists of the index in `folder` whose segment is not among `segments` (those merges replaced:
        no reader asks for them again, and they held memory until the least recently used went)."""
        with self._lock:
            gone = [key for key in self._entries if key[0] == folder and key[1] not in segments]
            for key in gone:
                self._bytes -= _cost(self._entries.pop(key))

    @property
    def nbytes(self) -> int:
        return self._bytes


def _cost(lists: tuple[np.ndarray, np.ndarray]) -> int:
    """The bytes a cache entry counts for: its two arrays and its own overhead."""
    return lists[0].nbytes + lists[1].nbytes + ENTRY_OVERHEAD


CACHE = PostingCache()


def read_postings(reader: Any, field: str, text: str | bytes, decoded: Decoded | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings in one segment, deleted documents included: (ids int32, weights float32, or the decoded
    file's integer weights).

    Read from the term's entry and, by position only, from the segment's decoded file when there is one, else its
    extent of the postings file: a matcher would seek and read the segment's one shared postings file, and searches
    in other threads read the same file."""
    terms = getattr(reader, "_terms", None)
    if not isinstance(terms, W3TermsReader):  # another codec: Whoosh's matcher, one posting at a time
        if not reader.doc_frequency(field, text):
            return NONE
        matcher = reader.postings(field, text)
        if isinstance(matcher, WrappingMatcher):  # the deletions filter (applied per reader by `Leaves`) has moved
            matcher = matcher.child  # its child past the deleted documents at the start: back to the first one
            matcher.reset()
        return _walk(matcher)
    try:  # one lookup of the term's entry, which holds its document frequency too
        info = terms.term_info(field, reader._text_to_bytes(field, text))
    except TermNotFound:
        return NONE
    return postings_of(terms, info, decoded)


def postings_of(terms: W3TermsReader, info: Any, decoded: Decoded | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`read_postings` from the term's entry in the segment's term table (a merge reads the table in order)."""
    if not info.doc_frequency():
        return NONE
    if info.is_inlined():  # a term with one posting keeps it in its entry
        ids, weights, _ = info.inlined_postings()
        return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)
    offset, length = info.extent()
    found = decoded.at(offset) if decoded is not None else None
    if found is not None:
        return found
    return read_extent(terms._postfile.get(offset, length[0] if isinstance(length, tuple) else length))


def term_rows(reader: Any, source: int) -> Iterator[tuple[str, bytes, int, bytes]]:
    """A segment's terms in order, as (field, text, `source`, the term's row in its table; the merge reads its
    segments' tables side by side): the table read a TABLE_CHUNK at a time and split here (Whoosh reads each row's
    lengths, key and value with a call each, and decodes the value)."""
    schema = reader.schema
    table = reader._terms._tindex
    names = reader._terms._fieldunmap
    start, end = table.startofdata, table.endofdata
    data, pos = b"", 0
    while True:
        left = len(data) - pos
        if left < 8 or left < 8 + sum(_ROW_LENGTHS(data, pos)):  # the next row is not all read yet
            if start >= end:
                if left:
                    raise ValueError(f"a term table ends inside a row ({left} bytes left)")
                return
            take = min(TABLE_CHUNK, end - start)
            data, pos, start = data[pos:] + table.dbfile.get(start, take), 0, start + take
            continue
        keylen, datalen = _ROW_LENGTHS(data, pos)
        pos += 8
        field = names[int.from_bytes(data[pos:pos + 2], "big")]
        if field in schema:
            yield field, data[pos + 2:pos + keylen], source, data[pos + keylen:pos + keylen + datalen]
        pos += keylen + datalen


def row_extent(row: bytes) -> tuple[int, int]:
    """Where a term's postings lie in its segment's postings file (offset, length), from its term table row."""
    return _EXTENT.unpack_from(row, _ROW_SIZE)


def blocks(buf: bytes) -> Iterator[tuple[tuple[Any, ...], bytes, bool]]:
    """Whoosh 3's posting blocks of a term's extent as they are stored: a 4-byte tag, then per block a length
    (negative for the last), a pickled header (postings, last id, top weight, compression level, shortest and
    longest length bytes), then the block's data, a pickle of (ids, weights, values), zlib-compressed where the
    header's level says so. Yields (header, data as stored, whether it is the last block)."""
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"not a Whoosh 3 posting list (tag {buf[:4]!r})")
    head = io.BytesIO(buf)
    pos, end = 4, len(buf)
    while pos < end:
        length = int.from_bytes(buf[pos:pos + 4], "big", signed=True)
        head.seek(pos + 4)
        header = pickle.load(head)
        yield header, buf[head.tell():pos + 4 + abs(length)], length < 0
        if length < 0:
            return
        pos += 4 + abs(length)


def parse_extent(buf: bytes) -> tuple[list[int], list[float]]:
    """A term's postings as Python lists (document numbers ascending, weights), parsed from its blocks (`blocks`)
    without numpy, whose calls cost more than the parsing for the one- or two-posting lists that most terms have (a
    merge of small segments, a segment decoded after a merge). In a block's data the first id is whole and the
    others count from the one before; the weights are None when all are 1 and a single number when all are equal."""
    ids: list[int] = []
    weights: list[float] = []
    for (count, _, _, compressed, _, _), data, _ in blocks(buf):
        deltas, w, _ = pickle.loads(zlib.decompress(data) if compressed else data)
        ids += accumulate(deltas)
        weights += [1.0] * count if w is None else [float(w)] * count if isinstance(w, (int, float)) else w
    return ids, weights


def read_extent(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings as arrays (int32 document numbers, float32 weights): `parse_extent`, converted once."""
    ids, weights = parse_extent(buf)
    if not ids:
        return NONE
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


def _walk(m: Matcher) -> tuple[np.ndarray, np.ndarray]:
    """Another codec's matcher, one posting at a time."""
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)


class Leaves:
    """One searcher's segments: where each one's document numbers start, which of its documents are deleted, and
    its decoded postings when they are on disk. Built once per searcher (per commit)."""

    def __init__(self, searcher: Searcher, folder: str, cache: PostingCache = CACHE) -> None:
        self.searcher, self.folder, self.cache = searcher, folder, cache
        self.doc_count_all = int(searcher.doc_count_all())
        self._leaves: list[tuple[Any, int, str | None, np.ndarray | None, Decoded | None]] = []
        self._missing: list[int] = []  # the large segments whose decoded file was not there
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            alive = None
            if reader.has_deletions():
                alive = np.ones(reader.doc_count_all(), dtype=bool)
                alive[np.fromiter(reader.deleted_docs_set, dtype=np.int64)] = False
            segment = reader.segment()  # None for a reader of no segment (an empty index)
            segid = segment.segment_id() if segment else None
            decoded = None
            if segid is not None and wanted(reader):
                decoded = open_decoded(folder, segid)
                if decoded is None:
                    self._missing.append(len(self._leaves))
            self._leaves.append((reader, int(offset), segid, alive, decoded))
        self._starts = [offset for _, offset, _, _, _ in self._leaves]
        self._columns: dict[str, list[Any]] = {}  # by field: each segment's column reader, None where it has none
        self._checked = time.monotonic()
        if self._missing:
            decode_later(folder)

    def _look_again(self) -> None:
        """Pick up the decoded files that a decoder has written since (at most every RECHECK_S)."""
        now = time.monotonic()
        if now - self._checked < RECHECK_S:
            return
        self._checked = now
        still = []
        for i in self._missing:
            reader, offset, segid, alive, _ = self._leaves[i]
            decoded = open_decoded(self.folder, segid or "")
            if decoded is None:
                still.append(i)
            else:
                self._leaves[i] = (reader, offset, segid, alive, decoded)  # one item replaced: safe under the GIL
        self._missing = still

    def column_text(self, field: str, docnum: int) -> str | None:
        """A column-keeping field's text (a `sortable` TEXT's) for a document by its number in the searcher, read
        from the column's plain bytes; None where the document's segment keeps no such column."""
        readers = self._columns.get(field)
        if readers is None:  # two threads may both build them: the same readers
            readers = self._columns[field] = [
                reader.column_reader(field, translate=False) if segid is not None and reader.has_column(field)
                else None for reader, _, segid, _, _ in self._leaves]
        leaf = bisect_right(self._starts, docnum) - 1
        column = readers[leaf]
        return None if column is None else bytes(column[docnum - self._starts[leaf]]).decode("utf-8")

    def term(self, field: str, text: str) -> Postings:
        """The term's live postings across segments: (document numbers in the searcher, weights)."""
        if self._missing:
            self._look_again()
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for reader, offset, segid, alive, decoded in self._leaves:
            if segid is None or decoded is not None:  # nothing to keep: an empty index's, or mapped from disk
                local, w = read_postings(reader, field, text, decoded)
            else:
                local, w = self.cache.get((self.folder, segid, field, text),
                                          lambda r=reader: read_postings(r, field, text))
            if alive is not None and len(local):
                keep = alive[local]
                local, w = local[keep], w[keep]
            if len(local):
                ids.append(local.astype(np.int64) + offset)
                weights.append(w.astype(np.float64))
        if not ids:
            return EMPTY
        return (ids[0], weights[0]) if len(ids) == 1 else (np.concatenate(ids), np.concatenate(weights))

    def evaluate(self, query: Q) -> Postings:
        """The documents the query tree matches and their scores, ids ascending. (A `CountOf` sums one and a
        thousandth of the score for each part that matches.)"""
        if isinstance(query, Term):
            ids, w = self.term(query.field, query.text)
            if not len(ids):
                return EMPTY
            # the searcher's weighting (`Saturated`) keeps each term's idf for the commit
            idf = self.searcher.weighting.term_idf(self.searcher, query.field, query.text)
            return ids, saturated(idf * query.boost, w)
        parts = [self.evaluate(p) for p in query.parts]
        if isinstance(query, CountOf):
            parts = [(ids, 1 + scores / 1000) for ids, scores in parts]
        if isinstance(query, AllOf):
            return _intersection(parts)
        return _union(parts, self.doc_count_all, best=isinstance(query, BestOf))


def _intersection(parts: list[Postings]) -> Postings:
    """Documents in every part, scores summed: each part looked up in the smallest one's ids (ids ascending)."""
    parts = sorted(parts, key=lambda p: len(p[0]))
    ids, scores = parts[0]
    for other, other_scores in parts[1:]:
        if not len(ids):
            break
        at = np.minimum(np.searchsorted(other, ids), max(len(other) - 1, 0))
        hit = other[at] == ids if len(other) else np.zeros(len(ids), dtype=bool)
        ids, scores = ids[hit], scores[hit] + other_scores[at[hit]]
    return ids, scores


def _union(parts: list[Postings], doc_count: int, best: bool) -> Postings:
    """Documents in any part, scores summed (or the best part's). Each part holds a document once, and every score
    is positive (idf >= 1 - 1/n, weights >= 1), so 0 means absent."""
    parts = [p for p in parts if len(p[0])]
    if len(parts) <= 1:
        return parts[0] if parts else EMPTY
    total = sum(len(p[0]) for p in parts)
    if total * DENSE_FRACTION >= doc_count:
        dense = np.zeros(doc_count, dtype=np.float64)
        seen = np.zeros(doc_count, dtype=np.bool_)  # scanned for the matches: an eighth of the scores' bytes
        for ids, scores in parts:
            dense[ids] = np.maximum(dense[ids], scores) if best else dense[ids] + scores
            seen[ids] = True
        found = np.flatnonzero(seen)
        return found, dense[found]
    ids = np.concatenate([p[0] for p in parts])
    scores = np.concatenate([p[1] for p in parts])
    if best:
        order = np.lexsort((scores, ids))  # by id, the best score last within each id
        ids, scores = ids[order], scores[order]
        last = np.append(ids[1:] != ids[:-1], True)
        return ids[last], scores[last]
    found, where = np.unique(ids, return_inverse=True)
    return found, np.bincount(where, weights=scores, minlength=len(found))


def top(found: Postings, limit: int, allow: np.ndarray | None) -> Postings:
    """The `limit` best of the matched documents through a filter (a mask over document numbers), best first; among
    equal scores the lower document number first, as Whoosh's collector orders them."""
    ids, scores = found
    if allow is not None and len(ids):
        keep = allow[ids]
        ids, scores = ids[keep], scores[keep]
    if len(ids) > limit:
        cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]  # the limit-th best score
        above = np.flatnonzero(scores > cut)
        level = np.flatnonzero(scores == cut)[:limit - len(above)]  # ids ascending: the lowest numbers
        chosen = np.concatenate([above, level])
        ids, scores = ids[chosen], scores[chosen]
    order = np.lexsort((ids, -scores))
    return ids[order], scores[order]
