"""The chapters' model loaded with only the vocabulary rows that a process's first texts need.

Why. The converted model (indexer.chapters.e5_ct2) is mostly its word-embedding table: 250,037 rows of 384 weights,
384 of the 470 MB on a CPU without 16-bit integer products (192 of 232 MB with them). Loading the whole file took
0.44-0.52 s on a 2-core AMD EPYC VM, more than half of the chapters step of a one-shot `clipindex ingest`, and held
470 MB. One transcript uses a few thousand of those rows. So the first call of a process gets a model cut down to
the rows its texts use (0.2-0.25 s, about 90 MB); a later call that needs a row it lacks loads the whole table, once,
and that serves every call after (a worker, the server, a playlist ingest). The vectors are the whole model's, bit
for bit: the same weights, the ids renumbered (tests/test_chapters_engine.py). Measured in docs/benchmarks.md
("Stop 63").

How. CTranslate2's model file (binary version 6) is a header, then each variable's name, shape, type and data, then
the aliases. `Layout.read` walks the headers without reading the data. `Layout.subset` copies the file with each
variable of the embedding table (the weights, and a per-row scale where the weights are 8-bit) cut down to the rows
asked for, in their order, and CTranslate2 loads that copy from memory (`Encoder(files=...)`). A file of another
version is loaded whole, as before this module.
"""

from __future__ import annotations

import json
import struct
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.asr.heap import release_memory
from indexer.chapters.e5_tokens import FormatError

VERSION = 6  # CTranslate2's binary model format that Layout understands
TABLE = "encoder/embeddings_0/"  # the word embeddings: the variables whose first dimension is the vocabulary
# Rows every model keeps, whatever the texts: the first ids are <s>, <pad>, </s> and <unk>; CTranslate2 pads a
# batch with id 0 and looks up the unknown token of config.json.
ALWAYS = (0, 1, 2, 3)


@dataclass(frozen=True)
class Variable:
    name: str
    start: int  # where its header starts in the file
    data: int  # where its data starts
    size: int  # bytes of data
    dims: tuple[int, ...]
    dtype: int


@dataclass(frozen=True)
class Layout:
    path: Path
    variables: tuple[Variable, ...]
    vocabulary: int  # rows of the embedding table

    @classmethod
    def read(cls, path: Path) -> Layout | None:
        """The variables of the model file at `path`; None for a file of another format version, or whose table is
        not where this module looks. Raises FormatError for a file of this version that is cut short or damaged."""
        length = path.stat().st_size
        with path.open("rb") as f:
            def take(fmt: str) -> Any:
                raw = f.read(struct.calcsize(fmt))
                if len(raw) != struct.calcsize(fmt):
                    raise FormatError(f"{path}: cut short at byte {f.tell()}")
                return struct.unpack(fmt, raw)

            def text() -> str:
                (n,) = take("<H")
                raw = f.read(n)
                if len(raw) != n:
                    raise FormatError(f"{path}: cut short at byte {f.tell()}")
                return raw.rstrip(b"\0").decode("utf-8", "replace")

            if length < 4 or take("<I")[0] != VERSION:
                return None
            text()  # the spec's name
            take("<I")  # its revision
            (count,) = take("<I")
            variables = []
            for _ in range(count):
                start = f.tell()
                name = text()
                (rank,) = take("<B")
                dims = take(f"<{rank}I") if rank else ()
                dtype, size = take("<BI")
                data = f.tell()
                if data + size > length:
                    raise FormatError(f"{path}: {name} runs past the end of the file")
                variables.append(Variable(name, start, data, size, tuple(dims), dtype))
                f.seek(size, 1)
        weights = next((v for v in variables if v.name == TABLE + "weight" and len(v.dims) == 2), None)
        if weights is None or not weights.dims[0]:
            return None
        return cls(path, tuple(variables), weights.dims[0])

    def table(self) -> list[Variable]:
        return [v for v in self.variables if v.name.startswith(TABLE) and v.dims[:1] == (self.vocabulary,)]

    def subset(self, ids: np.ndarray) -> bytes:
        """The model file with the embedding table's rows `ids` (ascending, unique), in that order."""
        table = self.table()
        headers = [_header(v, len(ids)) for v in table]
        cut = sum(len(h) + v.size // self.vocabulary * len(ids) for v, h in zip(table, headers))
        total = self.path.stat().st_size - sum(v.data + v.size - v.start for v in table) + cut
        out = bytearray(total)
        view = memoryview(out)
        at = done = 0  # next byte of the output; of the file
        with self.path.open("rb") as f:
            for v, header in zip(table, headers):
                at = _copy(f, done, v.start - done, view, at)
                view[at:at + len(header)] = header
                at += len(header)
                row = v.size // self.vocabulary
                rows = np.memmap(self.path, dtype=np.uint8, mode="r", offset=v.data, shape=(self.vocabulary, row))
                part = np.frombuffer(view[at:at + row * len(ids)], dtype=np.uint8).reshape(len(ids), row)
                np.take(rows, ids, axis=0, out=part)
                del rows, part
                at += row * len(ids)
                done = v.data + v.size
            at = _copy(f, done, len(out) - at, view, at)
        view.release()
        if at != total:
            raise FormatError(f"{self.path}: changed while it was read")
        return bytes(out)


def _header(v: Variable, rows: int) -> bytes:
    name = v.name.encode("utf-8") + b"\0"
    dims = (rows, *v.dims[1:])
    return (struct.pack("<H", len(name)) + name + struct.pack(f"<B{len(dims)}I", len(dims), *dims)
            + struct.pack("<BI", v.dtype, v.size // v.dims[0] * rows))


def _copy(f: Any, start: int, size: int, view: memoryview, at: int) -> int:
    f.seek(start)
    if f.readinto(view[at:at + size]) != size:
        raise FormatError(f"{f.name}: changed while it was read")
    return at + size


@dataclass(frozen=True)
class Loaded:
    """A CTranslate2 encoder and, where it holds part of the table, each id's row in it (-1: not held)."""

    encoder: Any
    rows: np.ndarray | None

    def covers(self, ids: Iterable[int]) -> bool:
        return self.rows is None or bool(np.all(self.rows[np.fromiter(ids, dtype=np.int64)] >= 0))

    def renumber(self, batch: list[list[int]]) -> list[list[int]]:
        if self.rows is None:
            return batch
        return [self.rows[np.asarray(ids, dtype=np.int64)].tolist() for ids in batch]


class Loader:
    """The encoder for a call's token ids: the first call gets one with only its rows, a call needing a row that
    is not held loads the whole table (once; it then serves every call). `subset=False`: the whole table at once."""

    def __init__(self, folder: Path, compute_type: str, threads: int, *, subset: bool = True) -> None:
        self.folder, self.compute_type, self.threads = folder, compute_type, threads
        self.layout = Layout.read(folder / "model.bin") if subset else None
        self.config = (folder / "config.json").read_bytes()
        json.loads(self.config)  # a damaged file raises here, as CTranslate2 would on loading the whole model
        self.lock = threading.Lock()
        self.loaded: Loaded | None = None if self.layout else self._load(None)  # a damaged file raises here
        self.subsets = 0  # cut-down models loaded (for tests and benches)

    def encoder(self, ids: set[int]) -> Loaded:
        with self.lock:
            held = self.loaded
            if held is None or not held.covers(ids):
                self.loaded = held = self._load(None if held is not None else ids)
                if held.rows is None and self.subsets:
                    release_memory()  # the cut-down model's pages, which glibc would otherwise keep (130 MB)
            return held

    def _load(self, ids: set[int] | None) -> Loaded:
        import ctranslate2  # deferred: the native library loads with the model, not when this module is imported

        kwargs = dict(device="cpu", compute_type=self.compute_type, intra_threads=1, inter_threads=self.threads)
        if ids is None or self.layout is None:
            return Loaded(ctranslate2.Encoder(str(self.folder), **kwargs), None)
        wanted = np.array(sorted(set(ids) | set(ALWAYS)), dtype=np.int64)
        if wanted[0] < 0 or wanted[-1] >= self.layout.vocabulary:
            raise ValueError(f"token ids outside the model's {self.layout.vocabulary} rows")
        files = {"model.bin": self.layout.subset(wanted),
                 "config.json": self.config,
                 "vocabulary.json": json.dumps([str(k) for k in range(len(wanted))]).encode()}
        encoder = ctranslate2.Encoder(f"{self.folder}#{len(wanted)}", files=files, **kwargs)
        rows = np.full(self.layout.vocabulary, -1, dtype=np.int64)
        rows[wanted] = np.arange(len(wanted))
        self.subsets += 1
        return Loaded(encoder, rows)
