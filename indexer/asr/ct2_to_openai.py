"""Convert a CTranslate2 Whisper model directory into an openai-whisper `.pt` checkpoint.

The input is what `ct2-transformers-converter` writes: config.json, model.bin, tokenizer.json, vocabulary.txt.
model.bin (little-endian, as `ctranslate2/specs/model_spec.py` serializes it, binary version 4 to 6):

    u32 binary_version; str spec_name ("WhisperSpec"); u32 spec_revision; u32 n_variables
    n_variables x { str name; u8 rank; u32 dims[rank]; u8 type_id; u32 n_bytes; bytes data }
    u32 n_aliases; n_aliases x { str alias; str target }

A `str` is a u16 length that counts a trailing NUL, then the UTF-8 bytes and the NUL. type_id indexes
(float32, int8, int16, int32, float16, bfloat16). Variables come sorted by name; rank-0 variables are scalars
(num_heads as int16, flags such as pre_norm as int8). A variable equal to one earlier in sorted order is stored once
and named again as an alias: decoder/projection/weight -> decoder/embeddings/weight (tied output projection).
Quantized models add `<linear>/weight_scale` beside an int8/int16 `weight`; those weights are dequantized here.

Whisper-specific layout: the encoder's and decoder's self-attention `linear_0` is query, key and value fused along
the output axis; the decoder's cross-attention holds the query in `linear_0`, key and value fused in `linear_1`, and
the output in `linear_2`. openai-whisper's key projection has no bias, and the converter stores zeros there; any key
bias adds the same q.b to every score of a query, which softmax cancels, so it is dropped. The checkpoint is
`{"dims": ModelDimensions fields, "model_state_dict": tensors, "alignment_heads": [[layer, head], ...] or None}`;
`whisper.load_model` reads the first two, and the engine applies the third through `set_alignment_heads`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import struct
import tempfile
from io import BufferedReader
from pathlib import Path
from typing import Any

import numpy as np

from indexer.errors import ModelError

CONVERTER_VERSION = 1  # bump when the output changes, so cached checkpoints are rebuilt
_DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16, "bfloat16")
_LINEAR = re.compile(r"^(encoder|decoder)/layer_(\d+)/(self_attention|attention|ffn)/(.+)$")


def read_model_bin(path: Path) -> dict[str, np.ndarray]:
    """All variables of a CTranslate2 model.bin by name (aliases resolved, quantized weights dequantized)."""
    with open(path, "rb") as f:
        version = _u(f, "I")
        if not 4 <= version <= 6:
            raise ModelError(f"{path}: unsupported CTranslate2 binary version {version} (this reads 4 to 6)")
        _string(f)  # spec name
        _u(f, "I")  # spec revision
        variables = {}
        for _ in range(_u(f, "I")):
            name = _string(f)
            variables[name] = _array(f, name, path)
        for _ in range(_u(f, "I")):
            alias, target = _string(f), _string(f)
            variables[alias] = variables[target]
    return _dequantize(variables)


def _u(f: BufferedReader, fmt: str) -> int:
    size = struct.calcsize("<" + fmt)
    raw = f.read(size)
    if len(raw) != size:
        raise ModelError(f"{getattr(f, 'name', 'model.bin')}: truncated CTranslate2 model file")
    return int(struct.unpack("<" + fmt, raw)[0])


def _string(f: BufferedReader) -> str:
    n = _u(f, "H")
    return f.read(n)[:-1].decode("utf-8")


def _array(f: BufferedReader, name: str, path: Path) -> np.ndarray:
    shape = tuple(_u(f, "I") for _ in range(_u(f, "B")))
    type_id, n_bytes = _u(f, "B"), _u(f, "I")
    if type_id >= len(_DTYPES):
        raise ModelError(f"{path}: variable {name} has unknown type id {type_id}")
    bf16 = _DTYPES[type_id] == "bfloat16"
    dtype = np.dtype(np.uint16 if bf16 else _DTYPES[type_id]).newbyteorder("<")
    if n_bytes != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
        raise ModelError(f"{path}: variable {name} has {n_bytes} bytes for shape {shape}")
    out = np.empty(shape, dtype=dtype)
    if f.readinto(out.reshape(-1).view(np.uint8).data) != n_bytes:
        raise ModelError(f"{path}: truncated CTranslate2 model file")
    if bf16:  # bfloat16 is the top half of a float32
        return (out.astype(np.uint32) << 16).view(np.float32)
    return out.astype(dtype.newbyteorder("="), copy=False)


def _dequantize(variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    for scale_name in [n for n in variables if n.endswith("/weight_scale")]:
        weight_name = scale_name.removesuffix("_scale")
        scale = variables.pop(scale_name).astype(np.float32)
        weight = variables[weight_name].astype(np.float32)
        variables[weight_name] = weight / (scale[:, None] if scale.ndim == 1 else scale)
    return variables


def derive_dims(v: dict[str, np.ndarray]) -> dict[str, int]:
    """openai-whisper ModelDimensions from the variables' shapes and the stored head counts."""
    audio_ctx, audio_state = v["encoder/position_encodings/encodings"].shape
    text_ctx, text_state = v["decoder/position_encodings/encodings"].shape
    return {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(audio_ctx),
        "n_audio_state": int(audio_state),
        "n_audio_head": _heads(v, "encoder", audio_state),
        "n_audio_layer": _count_layers(v, "encoder"),
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(text_ctx),
        "n_text_state": int(text_state),
        "n_text_head": _heads(v, "decoder", text_state),
        "n_text_layer": _count_layers(v, "decoder"),
    }


def _heads(v: dict[str, np.ndarray], side: str, state: int) -> int:
    stored = v.get(f"{side}/num_heads")
    return int(stored) if stored is not None else state // 64  # every Whisper size uses 64-wide heads


def _count_layers(v: dict[str, np.ndarray], side: str) -> int:
    return len({m.group(2) for n in v if (m := _LINEAR.match(n)) and m.group(1) == side})


def rename(v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """openai-whisper state_dict names for the CTranslate2 variables, fused projections split."""
    out = {
        "encoder.conv1.weight": v["encoder/conv1/weight"], "encoder.conv1.bias": v["encoder/conv1/bias"],
        "encoder.conv2.weight": v["encoder/conv2/weight"], "encoder.conv2.bias": v["encoder/conv2/bias"],
        "encoder.positional_embedding": v["encoder/position_encodings/encodings"],
        "encoder.ln_post.weight": v["encoder/layer_norm/gamma"], "encoder.ln_post.bias": v["encoder/layer_norm/beta"],
        "decoder.token_embedding.weight": v["decoder/embeddings/weight"],
        "decoder.positional_embedding": v["decoder/position_encodings/encodings"],
        "decoder.ln.weight": v["decoder/layer_norm/gamma"], "decoder.ln.bias": v["decoder/layer_norm/beta"],
    }
    projection = v.get("decoder/projection/weight")
    if projection is not None and not np.array_equal(projection, v["decoder/embeddings/weight"]):
        raise ModelError("the model's output projection is not tied to its token embedding: openai-whisper needs it")
    for side in ("encoder", "decoder"):
        for i in range(_count_layers(v, side)):
            out.update(_block(v, f"{side}/layer_{i}", f"{side}.blocks.{i}", side == "decoder"))
    return {k: np.ascontiguousarray(a) for k, a in out.items()}


def _block(v: dict[str, np.ndarray], src: str, dst: str, cross: bool) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    q, k, val = np.split(v[f"{src}/self_attention/linear_0/weight"], 3)
    qb, _, vb = np.split(v[f"{src}/self_attention/linear_0/bias"], 3)
    out.update(_attention(f"{dst}.attn", (q, qb), k, (val, vb), v, f"{src}/self_attention/linear_1"))
    out.update(_norm(v, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln"))
    if cross:
        k, val = np.split(v[f"{src}/attention/linear_1/weight"], 2)
        _, vb = np.split(v[f"{src}/attention/linear_1/bias"], 2)
        query = (v[f"{src}/attention/linear_0/weight"], v[f"{src}/attention/linear_0/bias"])
        out.update(_attention(f"{dst}.cross_attn", query, k, (val, vb), v, f"{src}/attention/linear_2"))
        out.update(_norm(v, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln"))
    for j, name in ((0, "mlp.0"), (1, "mlp.2")):
        out[f"{dst}.{name}.weight"] = v[f"{src}/ffn/linear_{j}/weight"]
        out[f"{dst}.{name}.bias"] = v[f"{src}/ffn/linear_{j}/bias"]
    out.update(_norm(v, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln"))
    return out


def _attention(
    dst: str, query: tuple[np.ndarray, np.ndarray], key: np.ndarray, value: tuple[np.ndarray, np.ndarray],
    v: dict[str, np.ndarray], out_src: str,
) -> dict[str, np.ndarray]:
    return {
        f"{dst}.query.weight": query[0], f"{dst}.query.bias": query[1], f"{dst}.key.weight": key,
        f"{dst}.value.weight": value[0], f"{dst}.value.bias": value[1],
        f"{dst}.out.weight": v[f"{out_src}/weight"], f"{dst}.out.bias": v[f"{out_src}/bias"],
    }


def _norm(v: dict[str, np.ndarray], src: str, dst: str) -> dict[str, np.ndarray]:
    return {f"{dst}.weight": v[f"{src}/gamma"], f"{dst}.bias": v[f"{src}/beta"]}


def alignment_heads(ct2_dir: Path, dims: dict[str, int]) -> list[list[int]] | None:
    """The [layer, head] pairs that config.json names for word timing (None: openai-whisper's default)."""
    config_path = ct2_dir / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
    heads = [[int(layer), int(head)] for layer, head in config.get("alignment_heads") or []]
    for layer, head in heads:
        if not (0 <= layer < dims["n_text_layer"] and 0 <= head < dims["n_text_head"]):
            raise ModelError(f"{config_path}: alignment head [{layer}, {head}] is outside the decoder")
    return heads or None


def encode_alignment_heads(heads: list[list[int]], n_text_layer: int, n_text_head: int) -> bytes:
    """The base85-of-gzip bool mask that `Whisper.set_alignment_heads` takes."""
    mask = np.zeros((n_text_layer, n_text_head), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def convert(ct2_dir: Path, out_pt: Path) -> Path:
    """Write the openai-whisper checkpoint of the CTranslate2 model in ct2_dir to out_pt."""
    import torch  # deferred: PyTorch comes with the optional openai-whisper extra

    try:
        variables = read_model_bin(ct2_dir / "model.bin")
        dims = derive_dims(variables)
        state = rename(variables)
    except KeyError as exc:
        raise ModelError(f"{ct2_dir}: not a CTranslate2 Whisper model (no variable {exc})") from None
    checkpoint: dict[str, Any] = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(a) for k, a in state.items()},
        "alignment_heads": alignment_heads(ct2_dir, dims),
    }
    torch.save(checkpoint, out_pt)
    return out_pt


def ensure_checkpoint(ct2_dir: Path, cache_dir: Path) -> Path:
    """The cached checkpoint of ct2_dir, converted on first use (written to a temp file, then renamed)."""
    out = cache_dir / f"openai-whisper-{_cache_key(ct2_dir)}.pt"
    if out.is_file():
        return out
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=out.stem + ".", suffix=".tmp")
    os.close(fd)
    try:
        convert(ct2_dir, Path(tmp))
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out


def _cache_key(ct2_dir: Path) -> str:
    model_bin = (ct2_dir / "model.bin").resolve()
    try:
        st = model_bin.stat()
    except OSError as exc:
        raise ModelError(f"{ct2_dir}: no CTranslate2 model.bin ({exc.strerror})") from None
    config = ct2_dir / "config.json"
    digest = hashlib.sha256(f"{CONVERTER_VERSION}|{model_bin}|{st.st_size}|{st.st_mtime_ns}".encode())
    digest.update(config.read_bytes() if config.is_file() else b"")
    return digest.hexdigest()[:20]
