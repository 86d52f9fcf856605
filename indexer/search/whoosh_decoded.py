"""Whoosh's posting lists kept decoded on disk beside each large segment, so a cold query reads arrays in place.

Why: Whoosh stores a term's postings as blocks of 128, each a zlib-compressed pickle. whoosh_arrays parses a list
the first time a process reads it (about 34 us a block) and keeps it in a bounded cache; at a million passages
(20 segments) the first reads of a query's words were half its time, so a server's first queries on each word, and
every query after a restart, missed the keyword target. A segment never changes once written, so its lists can be
parsed once, by whoever comes first, and kept as plain arrays: `MAIN_<segment>.decoded` beside the segment.

The file (one per segment, written once under a lock, renamed into place): a 4 KB header (magic, then JSON: the
segment, the counts, the weights' type, where each array starts), then four arrays, each 64-byte aligned:
- `offsets` (int64): where each term's postings start in the segment's postings file, ascending (the term entry
  that a lookup reads anyway holds it, so no term text is kept twice);
- `starts`, `counts` (int64): where that term's postings lie in the two arrays below;
- `ids` (int32): document numbers within the segment, ascending per term, deleted documents included (a reader
  applies its own deletions);
- `weights`: the term frequencies, as uint8 or uint16 when they are whole numbers that fit, float32 otherwise.
About 5 bytes a posting (a quarter more disk on the indexes measured in docs/benchmarks.md). Every process maps the
same pages, so the operating system's page cache holds one copy for all of a host's searchers.

Whoosh deletes a merged-away segment's files, and these with them: their names match its segment pattern. Segments
under `MIN_DOCS` documents are left to the parse path (their lists are short and the posting cache keeps them).

A merge (whoosh_merge) writes its new segment's file itself, from the lists as it writes them (`whoosh_gather`),
when the segment stays (is not merged again at once), so it is read from its file as soon as it is in. Other
segments (a commit's, an index written before) are decoded in a child process (`python -m
indexer.search.whoosh_decoded FOLDER`), started after a commit and when a reader finds a large segment without its
file: a search server's threads never wait for it and never share the interpreter lock with it. Until the file is
there, reads parse the blocks as before; a file that does not read back as written is ignored, removed and decoded
again.
"""

from __future__ import annotations

import fcntl
import json
import logging
import mmap
import pickle
import subprocess
import sys
import threading
import weakref
import zlib
from array import array
from pathlib import Path
from typing import Any

import numpy as np

from indexer.config import lenient_number
from indexer.search.whoosh_views import again_if_replaced, child_main, start_child

log = logging.getLogger(__name__)

MAGIC = b"CLIPDEC1"
HEADER = 4096
ALIGN = 64
SUFFIX = ".decoded"
LOCK = "decoded.lock"  # not a name Whoosh's clean-up matches
WEIGHT_TYPES = ("<u1", "<u2", "<f4")
FAILURES = (ValueError, OSError, EOFError, zlib.error, pickle.UnpicklingError)  # what a segment's lists may raise
DEFAULT_MIN_DOCS = 2000


def _min_docs() -> int:
    """CLIPINDEX_DECODED_MIN_DOCS, or DEFAULT_MIN_DOCS: the smallest segment decoded to disk (documents)."""
    return lenient_number("CLIPINDEX_DECODED_MIN_DOCS", DEFAULT_MIN_DOCS, int, "a whole number >= 0")


MIN_DOCS = _min_docs()


def path_for(folder: str | Path, segment_id: str) -> Path:
    return Path(folder) / f"{segment_id}{SUFFIX}"


def lacking(folder: str | Path, segments: Any) -> bool:
    """Whether any of an index's segments (Whoosh's `Segment`s, from its table of contents) is large enough to be
    decoded and has no file yet."""
    return any(seg.doc_count_all() >= MIN_DOCS and not path_for(folder, seg.segment_id()).exists()
               for seg in segments)


def wanted(reader: Any) -> bool:
    """Whether a segment reader's segment is large enough to be decoded, and of the codec this module reads."""
    return reader.segment() is not None and reader.doc_count_all() >= MIN_DOCS and _terms(reader) is not None


def _terms(reader: Any) -> Any:
    from whoosh.codec.whoosh3 import W3TermsReader  # deferred: whoosh is imported by the index modules anyway

    terms = getattr(reader, "_terms", None)
    return terms if isinstance(terms, W3TermsReader) else None


# ---- reading -------------------------------------------------------------------------------------------------------
class Decoded:
    """One segment's decoded postings, mapped read-only."""

    def __init__(self, path: Path, segment_id: str) -> None:
        with path.open("rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._parse(segment_id)  # on an error the map goes with this object (its arrays may hold it)

    def _parse(self, segment_id: str) -> None:
        buf = self._map
        if len(buf) < HEADER or buf[:8] != MAGIC:
            raise ValueError("not a decoded-postings file")
        head = json.loads(bytes(buf[8:HEADER]).rstrip(b"\0"))
        if head["segment"] != segment_id or head["end"] != len(buf):
            raise ValueError(f"written for {head['segment']!r}, {head['end']} bytes; found {len(buf)} bytes")
        n, m = int(head["terms"]), int(head["postings"])
        if head["weight_type"] not in WEIGHT_TYPES:
            raise ValueError(f"weights of type {head['weight_type']!r}")

        def column(name: str, dtype: str, count: int) -> np.ndarray:
            return np.frombuffer(buf, dtype=dtype, count=count, offset=int(head[name]))

        self.offsets = column("offsets", "<i8", n)
        self.starts = column("starts", "<i8", n)
        self.counts = column("counts", "<i8", n)
        self.ids = column("ids", "<i4", m)
        self.weights = column("weights", head["weight_type"], m)
        if n and (self.starts[-1] + self.counts[-1] > m or np.any(self.offsets[1:] <= self.offsets[:-1])):
            raise ValueError("its term table does not fit its arrays")

    def index(self, offset: int) -> int | None:
        """The row of the term whose list starts at `offset` in the segment's postings file, or None."""
        i = int(np.searchsorted(self.offsets, offset))
        return None if i == len(self.offsets) or self.offsets[i] != offset else i

    def at(self, offset: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The postings of the term whose list starts at `offset` in the segment's postings file, or None."""
        i = self.index(offset)
        if i is None:
            return None
        start, count = int(self.starts[i]), int(self.counts[i])
        return self.ids[start:start + count], self.weights[start:start + count]


_opened: weakref.WeakValueDictionary[Path, Decoded] = weakref.WeakValueDictionary()
_opened_lock = threading.Lock()


def open_decoded(folder: str | Path, segment_id: str) -> Decoded | None:
    """The segment's decoded postings, or None when they are not there (yet). One mapping per file per process."""
    path = path_for(folder, segment_id)
    with _opened_lock:
        found = _opened.get(path)
        if found is not None:
            return found
        try:
            found = Decoded(path, segment_id)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as e:  # written by something else, or damaged on disk
            log.warning("ignoring and removing %s: %s", path, e)
            path.unlink(missing_ok=True)
            return None
        _opened[path] = found
        return found


# ---- writing -------------------------------------------------------------------------------------------------------
def decode(folder: str | Path, reader: Any) -> Path | None:
    """Write `reader`'s segment's postings decoded (the caller holds the folder's lock); the file's path, or None
    for a codec this module does not read."""
    from indexer.search.whoosh_arrays import parse_extent  # deferred: whoosh_arrays imports this module
    from indexer.search.whoosh_gather import Gathered  # deferred: it imports this module

    terms = _terms(reader)
    if terms is None:
        return None
    # every term with a postings list of its own: where it starts, its length in bytes, its postings (typed arrays:
    # a large merged segment has millions of terms), parsed in the order the lists lie in the file
    starts, lengths, counts = array("q"), array("q"), array("q")
    for _key, info in terms.items():
        if info.is_inlined() or not info.doc_frequency():
            continue
        offset, length = info.extent()
        starts.append(offset)
        lengths.append(length[0] if isinstance(length, tuple) else length)
        counts.append(info.doc_frequency())
    order = np.argsort(np.frombuffer(starts, dtype=np.int64), kind="stable")
    entries = np.stack([np.frombuffer(a, dtype=np.int64)[order] for a in (starts, lengths, counts)], axis=1)
    get = terms._postfile.get
    with Gathered(folder, reader.segment().segment_id()) as gathered:
        for offset, length, df in entries.tolist():
            ids, weights = parse_extent(get(offset, length))
            if len(ids) != df:
                raise ValueError(f"a list of {len(ids)} postings where its term says {df}")
            gathered.add(offset, ids, weights)
        return gathered.write()


def decode_missing(folder: str | Path, wait: bool = False) -> int:
    """Decode every large segment of the index in `folder` that has no file yet, under the folder's lock (another
    process holding it is decoding already: nothing is done, or with `wait` this waits for it and then does what is
    left); repeated until the latest commit's segments are all done. Returns how many files were written."""
    from whoosh import index  # deferred: whoosh is imported by the index modules anyway

    folder = Path(folder)
    written = 0
    tried: set[str] = set()  # each segment once: one that fails is told and left to the parse path
    with (folder / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        while True:
            with index.open_dir(str(folder)).reader() as top:
                todo = [r for r, _ in top.leaf_readers() if wanted(r) and r.segment().segment_id() not in tried
                        and not path_for(folder, r.segment().segment_id()).exists()]
                for reader in todo:
                    segment_id = reader.segment().segment_id()
                    tried.add(segment_id)
                    for stale in folder.glob(f"{segment_id}{SUFFIX}.part*"):
                        stale.unlink(missing_ok=True)  # a decoder that died (the lock says none runs now)
                    try:
                        path = decode(folder, reader)
                        if path is not None and segment_id not in _segment_ids(folder):
                            # merged away while it was read: the merge's clean-up ran before the file was in
                            path.unlink(missing_ok=True)
                            path = None
                        written += path is not None
                    except FAILURES as e:
                        if not folder.is_dir():
                            raise
                        log.warning("could not decode the postings of %s in %s: %r", segment_id, folder, e)
            if not todo:
                return written


def _segment_ids(folder: Path) -> set[str]:
    """The segments the index's latest table of contents names."""
    from whoosh import index  # deferred: as in decode_missing

    return {seg.segment_id() for seg in again_if_replaced(lambda: index.open_dir(str(folder))._segments())}


_children: dict[Path, subprocess.Popen[bytes]] = {}
_children_lock = threading.Lock()


def decode_later(folder: str | Path) -> None:
    """Start a child process that decodes the index's missing segments, unless this process's last one for the
    folder still runs. Never raises: the parse path answers until the files are there."""
    folder = Path(folder)
    with _children_lock:
        running = _children.get(folder)
        if running is not None and running.poll() is None:
            return
        child = start_child("indexer.search.whoosh_decoded", folder, "postings decoder")
        if child is not None:
            _children[folder] = child


def wait_children(timeout: float = 120.0) -> None:
    """Wait for this process's decoders (tests, benches)."""
    with _children_lock:
        children = list(_children.values())
    for child in children:
        child.wait(timeout)


def main(argv: list[str]) -> int:
    return child_main(argv, "indexer.search.whoosh_decoded", decode_missing, "decoding the postings")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
