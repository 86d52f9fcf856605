"""What a commit's terms cost to write, and what each compression threshold costs in size.

    .venv/bin/python bench/write_terms.py --sentences SPEECHTOPSEG --passages 800 --thresholds 0,64,96,128

Indexes about --passages real-news passages (bench/search_scale.py's programmes: SpeechTopSeg sentences with
--sentences, else the made corpus) in one commit, keeps the arguments of every `whoosh_write.Terms.write_term` call,
then writes those terms again into files in memory, once per threshold (`whoosh_write.COMPRESS_FROM`: blocks whose
pickle is shorter are stored plain; 0 compresses every block, as Whoosh does), best of --repeat. Prints per
threshold: microseconds a term, the postings and term table bytes, and how many blocks were compressed; and how the
terms' posting counts are spread (most terms of a commit have one or two).
"""

from __future__ import annotations

import argparse
import collections
import io
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_scale import programmes, real_programmes, take  # noqa: E402
from indexer.search import whoosh_write  # noqa: E402
from indexer.search.index import SearchIndex  # noqa: E402


def captured(passages: int, sentences: str | None) -> tuple[list[tuple[Any, ...]], Any]:
    """The write_term calls of one commit of about `passages` passages, and the field writer they went to."""
    progs = take(real_programmes(10**9, 3, sentences) if sentences else programmes(10**9, 3), passages)
    calls: list[tuple[Any, ...]] = []
    writers: list[Any] = []
    original = whoosh_write.Terms.write_term

    def spy(self: whoosh_write.Terms, *args: Any) -> None:
        calls.append(args)
        writers.append(self._fw)
        original(self, *args)

    whoosh_write.Terms.write_term = spy  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            SearchIndex(Path(tmp) / "index").add_many([(p.video, p.transcript, []) for p in progs])
    finally:
        whoosh_write.Terms.write_term = original  # type: ignore[method-assign]
    return calls, writers[0]


class _Table:
    """What `Terms._add` needs of an ordered hash writer, in memory."""

    def __init__(self) -> None:
        self.dbfile = type("File", (), {"file": io.BytesIO()})()
        self.lastkey = b""
        self.index: list[int] = []
        self.hashfn = whoosh_write.md5_hash
        self.buckets: list[list[tuple[int, int]]] = [[] for _ in range(256)]


def fresh(fieldwriter: Any) -> whoosh_write.Terms:
    """A Terms writing into memory, with the field writer's block limit and compression level."""
    terms = whoosh_write.Terms.__new__(whoosh_write.Terms)
    terms._fw = fieldwriter
    terms._post = io.BytesIO()
    terms._tindex = table = _Table()
    terms._tfile = table.dbfile.file
    terms._limit = fieldwriter._codec._blocklimit
    terms._level = fieldwriter._codec._compression
    terms._prefix = b"\0\0"
    terms._sized = True
    terms._packed = {}
    return terms


def replay(calls: list[tuple[Any, ...]], fieldwriter: Any) -> tuple[float, whoosh_write.Terms]:
    """Seconds to write every term again, and the Terms that wrote them."""
    terms = fresh(fieldwriter)
    t0 = time.perf_counter()
    for args in calls:
        terms._tindex.lastkey = b""  # every field's terms replayed as one field's: their order is not measured
        terms.write_term(*args)
    return time.perf_counter() - t0, terms


def compressed_blocks(calls: list[tuple[Any, ...]], fieldwriter: Any) -> int:
    """How many blocks the replay compresses (counted in a run of its own, not timed)."""
    count = 0
    module = whoosh_write.zlib

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(module, name)

        def compress(self, data: bytes, level: int = -1) -> bytes:
            nonlocal count
            count += 1
            return module.compress(data, level)

    whoosh_write.zlib = Counting()  # type: ignore[assignment]
    try:
        replay(calls, fieldwriter)
    finally:
        whoosh_write.zlib = module
    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", default=os.environ.get("SPEECHTOPSEG"), help="a SpeechTopSeg checkout")
    ap.add_argument("--passages", type=int, default=800)
    ap.add_argument("--thresholds", default="0,64,96,128")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    calls, fieldwriter = captured(args.passages, args.sentences)
    spread = collections.Counter(min(len(c[1]), 5) for c in calls)
    print(f"{len(calls)} terms from {args.passages} passages; postings a term: "
          + ", ".join(f"{'5+' if k == 5 else k}: {v / len(calls):.0%}" for k, v in sorted(spread.items())))
    default = whoosh_write.COMPRESS_FROM
    try:
        for threshold in (int(x) for x in args.thresholds.split(",")):
            whoosh_write.COMPRESS_FROM = threshold
            runs = [replay(calls, fieldwriter) for _ in range(args.repeat)]
            best = min(seconds for seconds, _ in runs)
            terms = runs[0][1]
            post, table = terms._post.tell(), terms._tfile.tell()
            compressed = compressed_blocks(calls, fieldwriter)
            print(f"COMPRESS_FROM {threshold:4}{' (default)' if threshold == default else '          '}: "
                  f"{best / len(calls) * 1e6:6.1f} us a term, postings {post:,} bytes, table {table:,} bytes, "
                  f"zlib called for {compressed / len(calls):.0%} of the blocks", flush=True)
    finally:
        whoosh_write.COMPRESS_FROM = default
    print(f"{platform.machine()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
