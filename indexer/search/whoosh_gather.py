"""A segment's decoded postings file (whoosh_decoded) built from its lists handed over one at a time.

The decoder (whoosh_decoded.decode) hands over the lists it parses from a segment; a merge (whoosh_merge) hands over
each list as it writes it, so that a merged segment comes with its file and nothing reads it again. The file is the
same, byte for byte, either way.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from indexer.search.whoosh_decoded import ALIGN, FAILURES, HEADER, MAGIC, WEIGHT_TYPES, Decoded, path_for

log = logging.getLogger(__name__)
T = TypeVar("T")


def _aligned(pos: int) -> int:
    return -(-pos // ALIGN) * ALIGN


def _weights_type(max_weight: float) -> str:
    return WEIGHT_TYPES[0] if max_weight < 256 else WEIGHT_TYPES[1] if max_weight < 65536 else WEIGHT_TYPES[2]


def _unless_failed(method: Callable[..., T]) -> Callable[..., T | None]:
    """A `Gathered` method that, once gathering has failed in a tolerant one, does nothing."""

    @functools.wraps(method)
    def call(self: Gathered, *args: Any) -> T | None:
        if self.failed is not None:
            return None
        try:
            return method(self, *args)
        except FAILURES as e:
            if not self.tolerant:
                raise
            self.failed = e
            log.warning("the decoded postings of %s are left to the decoder: %r", self.path.name, e)
            return None

    return call


class Gathered:
    """A segment's postings lists taken one at a time, in the order they lie in its postings file, and written as
    its decoded file in `folder` (`write`). The decoder reads them from the segment; a merge (whoosh_merge) hands over
    each list as it writes it, so a merged segment comes with its file and nothing reads it again.

    The postings wait in two files, not in memory (a large merge's lists are hundreds of megabytes): `spill` with
    `.ids` and `.weights` added, by default beside the file with `.part<pid>` names (Whoosh's clean-up and a later
    decoder take any that a dead process leaves). A merge's work folder needs other names: Whoosh gathers the new
    segment's files there by their names into its compound file. Use it as a context manager: the spills are
    removed at the end, written or not.

    `tolerant` (a merge): a failure (a full disk, a damaged source list) is logged and ends the gathering, and
    `write` returns None; the segment is then decoded by the decoder like any other."""

    SPILL = 1 << 20  # postings kept in memory between writes to the files

    def __init__(self, folder: str | Path, segment_id: str, spill: Path | None = None, tolerant: bool = False
                 ) -> None:
        self.path = path = path_for(folder, segment_id)
        self.tolerant = tolerant
        self.failed: BaseException | None = None
        self._segment = segment_id
        self._part = path.with_name(f"{path.name}.part{os.getpid()}")
        spill = spill or self._part
        self._spills = [spill.with_name(f"{spill.name}.{kind}") for kind in ("ids", "weights")]
        self._handles: list[Any] = []
        self._offsets, self._counts = array("q"), array("q")
        self._ids, self._weights = array("i"), array("f")  # Whoosh's blocks hold the weights as 32-bit floats
        self._postings = 0
        self._top = 0.0
        self._whole = True
        # copied lists that follow each other in a source's decoded file, taken at once: (the source, its first
        # and past-the-last rows, the shift); a large merge copies millions of lists, most of them in such runs
        self._run: tuple[Decoded, int, int, int] | None = None

    def __enter__(self) -> Gathered:
        self._open()
        return self

    @_unless_failed
    def _open(self) -> None:
        for spill in self._spills:
            self._handles.append(spill.open("wb"))

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.close()
        for leftover in (self._part, *self._spills):
            leftover.unlink(missing_ok=True)

    @_unless_failed
    def add(self, offset: int, ids: Any, weights: Any) -> None:
        """One term's list: `offset`, where it starts in the segment's postings file (higher than the last one's);
        its document numbers and weights (lists, or numpy arrays)."""
        if self._run is not None:
            self._take_run()
        self._next_offset(offset)
        self._counts.append(len(ids))
        if isinstance(ids, np.ndarray):
            self._ids.frombytes(ids.astype(np.int32, copy=False).tobytes())
            self._weights.frombytes(np.asarray(weights, dtype=np.float32).tobytes())
        else:
            self._ids.extend(ids)
            self._weights.extend(weights)
        if len(self._ids) >= self.SPILL:
            self._spill()

    @_unless_failed
    def add_copied(self, offset: int, extent: bytes, decoded: Decoded | None, source_offset: int, shift: int
                   ) -> None:
        """A list that a merge copies from one source segment (`extent`: its blocks there, at `source_offset`),
        its documents numbered `shift` higher: taken from the source's decoded file where it has one, else parsed."""
        from indexer.search.whoosh_arrays import parse_extent  # deferred: whoosh_arrays imports this module

        if decoded is not None:
            run = self._run
            if (run is not None and run[0] is decoded and run[3] == shift and run[2] < len(decoded.offsets)
                    and decoded.offsets[run[2]] == source_offset):  # the next row of the run
                self._next_offset(offset)
                self._run = (decoded, run[1], run[2] + 1, shift)
                return
            row = decoded.index(source_offset)
            if row is not None:
                if run is not None:
                    self._take_run()
                self._next_offset(offset)
                self._run = (decoded, row, row + 1, shift)
                return
        listed, parsed = parse_extent(extent)
        self.add(offset, [d + shift for d in listed] if shift else listed, parsed)

    def _next_offset(self, offset: int) -> None:
        if self._offsets and offset <= self._offsets[-1]:
            raise ValueError(f"a list at {offset}, after one at {self._offsets[-1]}")
        self._offsets.append(offset)

    def _take_run(self) -> None:
        """The lists of the run of copied rows (their offsets are in already): counts, ids and weights at once."""
        assert self._run is not None
        decoded, first, end, shift = self._run
        self._run = None
        counts = decoded.counts[first:end]
        self._counts.frombytes(counts.astype(np.int64).tobytes())
        start = int(decoded.starts[first])
        stop = int(decoded.starts[end - 1] + counts[-1])
        ids = decoded.ids[start:stop]
        self._ids.frombytes((ids + np.int32(shift) if shift else ids).astype(np.int32, copy=False).tobytes())
        self._weights.frombytes(decoded.weights[start:stop].astype(np.float32).tobytes())
        if len(self._ids) >= self.SPILL:
            self._spill()

    def _spill(self) -> None:
        if self._run is not None:
            self._take_run()
        got = np.frombuffer(self._weights, dtype=np.float32)
        if len(got):
            self._top = max(self._top, float(got.max()))
            self._whole = self._whole and not np.any(got != np.round(got))
        del got  # it holds the array's buffer, which the array may not resize under it
        self._postings += len(self._ids)
        self._ids.tofile(self._handles[0])
        self._weights.tofile(self._handles[1])
        del self._ids[:], self._weights[:]

    @_unless_failed
    def write(self) -> Path:
        """The file, written beside its spills and renamed into place; its path (None after a tolerated failure)."""
        self._spill()
        for handle in self._handles:
            handle.flush()
        n, m = len(self._offsets), self._postings
        kind = _weights_type(self._top) if self._whole else "<f4"
        layout: dict[str, Any] = {}
        pos = HEADER
        for name, size in (("offsets", 8 * n), ("starts", 8 * n), ("counts", 8 * n), ("ids", 4 * m),
                           ("weights", np.dtype(kind).itemsize * m)):
            layout[name] = pos = _aligned(pos)
            pos += size
        head = {"segment": self._segment, "terms": n, "postings": m, "weight_type": kind,
                "end": pos, **layout}
        raw = json.dumps(head).encode()
        if 8 + len(raw) > HEADER:
            raise ValueError("header too long")
        with self._part.open("wb") as handle:
            handle.truncate(pos)
        out = np.memmap(self._part, mode="r+", dtype=np.uint8)
        out[:8] = np.frombuffer(MAGIC, dtype=np.uint8)
        out[8:8 + len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        counts = np.frombuffer(self._counts, dtype=np.int64)
        for name, values in (("offsets", np.frombuffer(self._offsets, dtype=np.int64)), ("counts", counts),
                             ("starts", np.cumsum(counts) - counts)):
            np.ndarray((n,), dtype="<i8", buffer=out, offset=int(layout[name]))[:] = values
        for (name, dtype), spill in zip((("ids", "<i4"), ("weights", kind)), self._spills):
            if not m:
                continue
            source = np.memmap(spill, mode="r", dtype=np.int32 if name == "ids" else np.float32)
            target = np.ndarray((m,), dtype=dtype, buffer=out, offset=int(layout[name]))
            for at in range(0, m, self.SPILL):  # a chunk at a time: no second copy of a large segment in memory
                target[at:at + self.SPILL] = source[at:at + self.SPILL]
            del source, target
        out.flush()
        del out
        os.replace(self._part, self.path)
        return self.path
