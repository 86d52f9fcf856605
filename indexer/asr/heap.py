"""How the recogniser's process uses glibc's heap: freed memory kept for reuse while decoding, handed back between
windows.

Why. CTranslate2 allocates a fresh buffer for nearly every operation's output and frees it right after. With glibc's
defaults the large ones are mapped anew each time (above the mmap threshold) or come from a worker thread's arena that
is trimmed when they are freed, so the kernel zeroes every page again when the next operation first writes it: about
1.9 million page faults and 6 s of system time in 4.5 minutes of base on 2 cores (`perf record -e page-faults` puts
them in CTranslate2's GEMM output and copies). With `TUNABLES` (no mapping below 1 GB, no trimming of the heap,
one arena for every thread) the faults fall to about 0.16 million, and the recogniser runs about 20% faster at a
lower peak RSS (docs/benchmarks.md, `bench/ingest.py`).

glibc reads these settings only when a process starts (`mallopt` cannot set a threshold above 32 MB, and an arena
limit set later leaves the arenas that threads already own), so the `clipindex` commands that may transcribe
(`ingest`, `serve`, `worker`) restart once with them in their environment (`restart_tuned`). A `GLIBC_TUNABLES`
already set, even empty, is left as it is: that is how to opt out. Nor do they restart for the sequential path
(`CLIPINDEX_BATCH_SIZE=1`), which the settings make 6% slower and 90 MB larger. Elsewhere than glibc Linux nothing
changes.

`release_memory` hands the heap's free pages back after each decoded segment (so between two batches) and after each
window of audio: the trimming the settings turn off while a batch decodes happens between batches instead, so the
peak stays nearly flat over a long input: a 60-minute input peaked at 788-878 MB (tiny.en; 827-884 MB with glibc's
defaults), 1.04-1.52x a 5-minute one's, whose peak moves with where the attention buffers land.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
import sys
from collections.abc import Callable, Mapping

VARIABLE = "GLIBC_TUNABLES"
TUNABLES = ":".join((
    "glibc.malloc.mmap_threshold=1073741824",
    "glibc.malloc.trim_threshold=4294967296",
    "glibc.malloc.arena_max=1",
))


def on_glibc() -> bool:
    return sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def tuned_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` with the heap settings added, unless it sets its own, asks for the sequential path (which the
    settings slow) or this is not glibc Linux."""
    env = dict(environ)
    sequential = env.get("CLIPINDEX_BATCH_SIZE", "").strip() == "1"
    if on_glibc() and VARIABLE not in env and not sequential:
        env[VARIABLE] = TUNABLES
    return env


def restart_tuned() -> None:
    """Re-execute this process once with the heap settings when `tuned_environ` adds them to its environment (the
    `clipindex` command calls this first). Returns only when it does not restart."""
    env = tuned_environ(os.environ)
    argv = list(getattr(sys, "orig_argv", None) or [])
    if VARIABLE in os.environ or VARIABLE not in env or not argv or not sys.executable:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, [sys.executable, *argv[1:]], env)
    except OSError:  # the interpreter cannot be run again (a frozen or embedded one): go on without the settings
        return


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Hand freed heap pages back to the system (glibc keeps them otherwise, and a long input's peak RSS creeps up
    window after window). A no-op where glibc's `malloc_trim` is missing. Called after every decoded segment, so
    libc is looked up once."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
