"""Re-scoring a stretch of audio under given wordings: how well does the speech fit each one?

Why forced decoding and not a second transcription: a quote check has two candidate wordings of the same moment (the
transcript's and the article's) and must say which the audio supports. Decoding again would only repeat the
recogniser's choice; scoring each wording as a forced token sequence (the decoder is fed the wording and we read the
probability it gives every token, end of text included) measures the fit of both on the same footing. The clip is
cut from the stored 16 kHz WAV with a little margin. The caller may give the words said before the clip as previous
text (Whisper's prompt, as in transcription): each wording is then scored in its sentence.

Both engines do it: faster-whisper through CTranslate2's `Whisper.align` (which returns each forced token's
probability; the encoder runs once for all wordings), openai-whisper through one batched decoder pass in PyTorch.
"""

from __future__ import annotations

import json
import math
import os
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from indexer.asr.audio import SAMPLE_RATE
from indexer.asr.modelpath import resolve_model
from indexer.config import Settings
from indexer.errors import EngineUnavailable, ModelError

MARGIN_S = 0.4  # audio kept either side of the span: word times are only as exact as the recogniser's
MAX_CLIP_S = 28.0  # one Whisper window, with room for the margins
PROMPT_TOKENS = 64  # previous text kept, at most (its last tokens): Whisper's own prompts are up to 223


@dataclass(frozen=True)
class WordingScore:
    wording: str
    logprob: float  # sum of the log probabilities of the wording's tokens and of the end of text after them
    tokens: int
    token_probs: tuple[float, ...] = ()


class Rescorer(Protocol):
    name: str

    def score(self, audio: Path, start: float, end: float, wordings: Sequence[str],
              language: str, prompt: str = "") -> list[WordingScore]: ...


def make_rescorer(settings: Settings, engine: str | None = None) -> Rescorer:
    """A re-scorer on the settings' model, with the engine `engine` names (the one that made a transcript), else the
    settings' engine. The model loads on the first score."""
    model = resolve_model(settings.model, settings.data_dir / "cache", settings.allow_download)
    if (engine if engine in ("faster-whisper", "openai-whisper") else settings.engine) == "openai-whisper":
        return OpenAIRescorer(Path(model.path), settings.data_dir / "cache", settings.device)
    return CT2Rescorer(Path(model.path), settings.device)


def read_clip(audio: Path, start: float, end: float) -> np.ndarray:
    """float32 samples of [start - margin, end + margin] from the stored WAV, at most one Whisper window long."""
    lo = max(start - MARGIN_S, 0.0)
    hi = min(end + MARGIN_S, lo + MAX_CLIP_S)
    with wave.open(str(audio), "rb") as w:
        if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ModelError(f"{audio.name}: expected 16 kHz mono 16-bit WAV")
        w.setpos(min(int(lo * SAMPLE_RATE), w.getnframes()))
        raw = w.readframes(max(int((hi - lo) * SAMPLE_RATE), 0))
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def _score(wording: str, probs: Sequence[float]) -> WordingScore:
    floor = 1e-9  # a token the model rules out entirely still counts as finitely unlikely
    return WordingScore(wording, float(sum(math.log(max(p, floor)) for p in probs)), len(probs),
                        tuple(round(float(p), 4) for p in probs))


class CT2Rescorer:
    """faster-whisper's model (CTranslate2, int8 on CPU): forced tokens scored with `Whisper.align`."""

    name = "faster-whisper"

    def __init__(self, model: Path, device: str = "auto") -> None:
        self.model_path = model
        self.device = device
        self._model: Any = None
        self._encode: Callable[[str], list[int]] | None = None

    def _load(self) -> Any:
        if self._model is None:
            from faster_whisper import WhisperModel  # deferred: CTranslate2 loads only when a quote is re-scored

            device = "cpu" if self.device == "auto" and not _ct2_cuda() else self.device
            device = "cuda" if device == "auto" else device
            try:
                self._model = WhisperModel(str(self.model_path), device=device,
                                           compute_type="float16" if device == "cuda" else "int8",
                                           cpu_threads=os.cpu_count() or 0)
            except Exception as exc:  # noqa: BLE001 - CTranslate2 raises plain RuntimeError/ValueError
                raise ModelError(f"cannot load Whisper model {self.model_path}: {exc}") from None
        return self._model

    def _encoder(self) -> Callable[[str], list[int]]:
        if self._encode is None:
            bpe = repaired_tokenizer(self.model_path / "tokenizer.json")
            self._encode = lambda text: list(bpe.encode(text, add_special_tokens=False).ids)
        return self._encode

    def score(self, audio: Path, start: float, end: float, wordings: Sequence[str],
              language: str, prompt: str = "") -> list[WordingScore]:
        if not wordings:
            return []
        import ctranslate2  # deferred, as faster-whisper above
        from faster_whisper.tokenizer import Tokenizer  # deferred, as above

        model = self._load()
        encode = self._encoder()
        samples = read_clip(audio, start, end)
        features = model.feature_extractor(samples)
        frames = min(features.shape[-1], 3000)
        # CTranslate2's encoder takes a window shorter than Whisper's 30 s: the clip plus 1 s of padding (10 s at
        # least) scores the wordings as the full window does, in a third of the time or less
        width = min(3000, max(frames + 100, 1000))
        width += width % 2
        padded = np.zeros((1, features.shape[0], width), dtype=np.float32)
        padded[0, :, :frames] = features[:, :frames]
        multilingual = model.model.is_multilingual
        tokenizer = Tokenizer(model.hf_tokenizer, multilingual, task="transcribe",
                              language=language if multilingual else "en")
        encoded = model.model.encode(ctranslate2.StorageView.from_array(padded), to_cpu=False)
        # no end-of-text token: CTranslate2's alignment gives it no probability (the wordings share their ends)
        batch = [encode(" " + w.strip()) for w in wordings]
        start_seq = list(tokenizer.sot_sequence) + [tokenizer.no_timestamps]
        if prompt.strip():
            start_seq = [tokenizer.sot_prev] + encode(" " + prompt.strip())[-PROMPT_TOKENS:] + start_seq
        results = []
        for tokens in batch:  # one at a time: the encoder output is shared, batching would copy it per wording
            [res] = model.model.align(encoded, start_seq, [tokens], frames)
            results.append(res.text_token_probs)
        return [_score(w, probs) for w, probs in zip(wordings, results)]


def repaired_tokenizer(path: Path) -> Any:
    """The model's byte-level BPE tokenizer, with any merge its tokenizer.json lost put back.

    Why: a shipped model's tokenizer.json can lack merges (the `base` package's lacks its first, "Ġ t", so " tells"
    encodes as " ", "t", "ells"): decoding does not notice, but a forced wording spelled in tokens the model never
    saw is scored as nonsense. In byte-level BPE token id 256 + r is made by merge r, so a token no merge makes is
    rebuilt from its two parts and the merge is put back at its rank."""
    import tokenizers  # deferred: comes with faster-whisper, needed only to re-score

    data = json.loads(path.read_text(encoding="utf-8"))
    bpe = data["model"]
    vocab: dict[str, int] = bpe["vocab"]
    pairs = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in bpe["merges"]]
    made = {a + b for a, b in pairs}
    lost = sorted((t for t, i in vocab.items() if i >= 256 and len(t) > 1 and t not in made
                   and not t.startswith("<|")), key=vocab.__getitem__)
    for token in lost:
        splits = [(token[:k], token[k:]) for k in range(1, len(token))
                  if token[:k] in vocab and token[k:] in vocab]
        if splits:
            a, b = min(splits, key=lambda ab: max(vocab[ab[0]], vocab[ab[1]]))
            pairs.insert(min(vocab[token] - 256, len(pairs)), (a, b))
    if lost:
        as_text = isinstance(bpe["merges"][0], str) if bpe["merges"] else True
        bpe["merges"] = [f"{a} {b}" if as_text else [a, b] for a, b in pairs]
    return tokenizers.Tokenizer.from_str(json.dumps(data))


def _ct2_cuda() -> bool:
    try:
        import ctranslate2  # deferred, as in CT2Rescorer._load

        return bool(ctranslate2.get_cuda_device_count() > 0)
    except Exception:  # noqa: BLE001 - a broken CUDA install means CPU
        return False


class OpenAIRescorer:
    """openai-whisper (PyTorch): the forced tokens of every wording decoded in one batch."""

    name = "openai-whisper"

    def __init__(self, model: Path, cache_dir: Path, device: str = "cpu") -> None:
        self.model_path = model
        self.cache_dir = cache_dir
        self.device = "cuda" if device == "cuda" else "cpu"
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see openai_engine)
            try:
                import whisper  # deferred: an optional extra that pulls PyTorch
            except ImportError:
                raise EngineUnavailable("openai-whisper is not installed: pip install 'clipindex[openai]'") from None
            from indexer.asr.ct2_to_openai import ensure_checkpoint  # deferred: reads numpy weights on first use

            path = self.model_path
            checkpoint = ensure_checkpoint(path, self.cache_dir) if (path / "model.bin").is_file() else path
            try:
                self._model = whisper.load_model(str(checkpoint), device=self.device)
            except Exception as exc:  # noqa: BLE001 - torch raises RuntimeError, pickle errors, KeyError ...
                raise ModelError(f"cannot load Whisper model {path}: {exc}") from None
        return self._model

    def score(self, audio: Path, start: float, end: float, wordings: Sequence[str],
              language: str, prompt: str = "") -> list[WordingScore]:
        if not wordings:
            return []
        import torch  # deferred: PyTorch comes with the optional openai-whisper extra
        import whisper  # deferred, as in _load

        model = self._load()
        samples = read_clip(audio, start, end)
        mel = whisper.log_mel_spectrogram(samples, model.dims.n_mels, padding=whisper.audio.N_SAMPLES)
        mel = whisper.pad_or_trim(mel, whisper.audio.N_FRAMES).to(model.device)
        tok = whisper.tokenizer.get_tokenizer(model.is_multilingual, num_languages=model.num_languages,
                                              language=language if model.is_multilingual else "en",
                                              task="transcribe")
        prefix = list(tok.sot_sequence) + [tok.no_timestamps]
        if prompt.strip():
            prefix = [tok.sot_prev] + tok.encode(" " + prompt.strip())[-PROMPT_TOKENS:] + prefix
        seqs = [prefix + tok.encode(" " + w.strip()) + [tok.eot] for w in wordings]
        width = max(len(s) for s in seqs)
        tokens = torch.tensor([s + [tok.eot] * (width - len(s)) for s in seqs], device=model.device)
        with torch.no_grad():
            audio_features = model.embed_audio(mel.unsqueeze(0)).repeat(len(seqs), 1, 1)
            logprobs = torch.log_softmax(model.logits(tokens, audio_features).float(), dim=-1)
        out = []
        for k, (w, seq) in enumerate(zip(wordings, seqs)):
            picked = [float(logprobs[k, i - 1, seq[i]].exp()) for i in range(len(prefix), len(seq))]
            out.append(_score(w, picked))
        return out
