"""How many audio chunks faster-whisper decodes at once, chosen from the machine when the settings leave it to us.

Why batched by default. On CPU, faster-whisper's batched pipeline (Silero VAD cuts the speech into chunks of up to
30 s, decoded together) was 2.3-4.7x faster than the sequential path on the project's speech with the same weights
and beam, at a better WER (base, 4.5 minutes: 17-19 s against 41 s, WER 0.052 against 0.071; bench/ingest.py,
docs/benchmarks.md). The price is memory: each chunk in a batch holds its own encoder output and beams, about half
the model file's size (base, 145 MB on disk: 620 MB peak at 2, 830 MB at 4, 1030 MB at 8, 1340 MB at 16).

The rule: the largest power of two up to 2 per core (16 at most; 16 on a GPU, whose memory is not read here) whose
chunks fit in a quarter of the memory available now; 1 (the sequential path) where not even 2 fit. On 2 cores that is
4. Batch 8 was about 7% faster there, but over a 60-minute input one 300 s window took its peak 300 MB above the
others, 1.53-1.62x a 5-minute input's (the long-file target is 1.5x), where batch 4 kept 1.39x (tiny.en, 901 against
647 MB). That window held a loop run to the token limit, whose alignment was padded over the whole batch; since such
a chunk is aligned on its first tokens only (indexer.asr.limit), batch 8's ratio is 1.14 (1,163 against 1,017 MB).
Batch 4 stays: batch 8 was 7-8% faster with base (13.2-13.4 s against 14.1-14.6 s for 4.5 minutes) but peaked 45%
higher (1,356-1,379 MB against 934 MB), and a machine runs other workers beside it. 16 was no faster than 8 (a
window rarely holds more than 11 chunks).
CLIPINDEX_BATCH_SIZE overrides it: 1 for the sequential path, N for N.
"""

from __future__ import annotations

import os
from pathlib import Path

AUTO = 0  # the setting's value that leaves the choice to auto_batch_size
PER_CORE = 2
LARGEST = 16
MEMORY_SHARE = 0.25  # of the memory available now: other workers and the rest of the ingest need the remainder
PER_CHUNK_OF_MODEL = 0.5  # a chunk's working memory, as a share of the model file's size (measured with base)
UNKNOWN_MODEL_BYTES = 150_000_000  # a model faster-whisper would download by name: sized as base


def auto_batch_size(*, cuda: bool, cores: int, available_bytes: int | None, model_bytes: int) -> int:
    """The batch for this machine (see the module docstring); 1 means the sequential path."""
    top = LARGEST if cuda else max(1, min(LARGEST, PER_CORE * cores))
    if cuda or available_bytes is None:
        return _power_of_two(top)
    fits = int(available_bytes * MEMORY_SHARE // max(1, int(model_bytes * PER_CHUNK_OF_MODEL)))
    batch = _power_of_two(min(top, fits))
    return batch if batch >= 2 else 1


def choose_batch_size(setting: int, *, cuda: bool, model_path: str) -> int:
    """The setting when it names a batch, else the machine's choice for this model."""
    if setting != AUTO:
        return max(1, setting)
    return auto_batch_size(cuda=cuda, cores=_cores(), available_bytes=available_memory(),
                           model_bytes=model_size(model_path))


def model_size(path: str) -> int:
    """Bytes of the model's weights on disk (a directory's model.bin), or a base-sized guess for a model name."""
    weights = Path(path) / "model.bin"
    try:
        return weights.stat().st_size
    except OSError:
        return UNKNOWN_MODEL_BYTES


def available_memory(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Memory the system can hand out now without swapping (Linux's MemAvailable), or None where it cannot say."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (a container's limit included)
    except AttributeError:
        return os.cpu_count() or 1


def _power_of_two(n: int) -> int:
    return 1 << (max(1, n).bit_length() - 1)
