"""Speed of the pieces whose tests used to assert a wall-clock limit: the word aligner, hostile queries, chapters.

Run:  .venv/bin/python bench/speed.py              (about ten seconds on a 2-core machine)
      .venv/bin/python bench/speed.py --repeat 20  (more runs per case; medians steady under load)

A time limit inside a test fails on a loaded machine and proves nothing on a fast one, so the tests keep only what
the code must do and the times are measured here, on the same inputs, against the limits the tests used to assert:
- align: a 13-word quote against a 189-word passage (tests/test_search.py's SPOKEN nine times over), one call;
  the test asserted under 5 ms (test_alignment_on_a_long_passage_takes_the_first_of_equal_spans).
- hostile queries: each of tests/test_search.py's HOSTILE queries (unbalanced quotes, wildcards, operators, field
  syntax, 1000 characters) searched in keyword mode, then in quote mode, on that file's four-video index; the test
  asserted under 2 s for both (test_hostile_queries_are_words_not_syntax). Queries refused with a clear message
  count too: the refusal is what they cost.
- chapters: segment() on tests/test_segment.py's three-hour caption transcript, with the default options and then
  with count=12; the test asserted under 10 s for both (test_three_hours_get_sensible_lengths).
Each case reports the median and the slowest of its runs; CPU time beside wall time shows what other load took.
The exit status is 1 when any case's slowest run is OVER its limit.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.chapters.segment import segment  # noqa: E402
from indexer.errors import InvalidInput  # noqa: E402
from indexer.search.index import SearchIndex  # noqa: E402
from indexer.text.align import align  # noqa: E402
from indexer.text.normalize import tokenize_text  # noqa: E402
from tests.test_search import HOSTILE, LONG_QUOTE, SPOKEN, news_index  # noqa: E402
from tests.test_segment import three_hours  # noqa: E402


def timed(work: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each of `repeat` runs of `work`."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


OVER: list[str] = []  # the cases whose slowest run missed its limit


def row(case: str, wall: list[float], cpu: list[float], limit_s: float) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds:.2f} s"

    within = max(wall) < limit_s
    if not within:
        OVER.append(case)
    return (f"| {case} | {len(wall)} | {ms(statistics.median(wall))} | {ms(max(wall))} | "
            f"{ms(statistics.median(cpu))} | {ms(limit_s)} ({'within' if within else 'OVER'}) |")


def both_modes(ix: SearchIndex, query: str) -> None:
    try:
        ix.search(query, mode="keyword")
        ix.search(query, mode="quote")
    except InvalidInput:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (align runs 10x as many)")
    args = parser.parse_args()
    print(f"# speed checks, {datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"load average before: {os.getloadavg()[0]:.2f}\n")
    print("| case | runs | median wall | slowest wall | median CPU | the test's old limit |")
    print("|---|---|---|---|---|---|")

    quote, spoken = tokenize_text(LONG_QUOTE, "en"), tokenize_text(" ".join(SPOKEN * 9), "en")
    align(quote, spoken)  # the first call pays for imports and caches
    print(row(f"align: {len(quote)}-word quote, {len(spoken)}-word passage", *timed(lambda: align(quote, spoken),
                                                                                     args.repeat * 10), 0.005))

    with tempfile.TemporaryDirectory(prefix="clipindex-speed-") as tmp:
        ix, _starts = news_index(Path(tmp) / "index")
        both_modes(ix, "warm the searcher up")
        hostile = [timed(functools.partial(both_modes, ix, q), args.repeat) for q in HOSTILE]
        for q, (wall, cpu) in zip(HOSTILE, hostile):
            shown = q if len(q) <= 40 else f"{q[:30]}... ({len(q)} characters)"
            print(row(f"hostile query {shown!r}, keyword + quote".replace("|", "\\|"), wall, cpu, 2.0))

    transcript = three_hours()
    hours = transcript.words[-1].end / 3600
    print(row(f"chapters: {hours:.1f} h, {len(transcript.words)} words, default + count=12",
              *timed(lambda: (segment(transcript), segment(transcript, count=12)), args.repeat), 10.0))

    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    print("reproduce: .venv/bin/python bench/speed.py" + (f" --repeat {args.repeat}" if args.repeat != 5 else ""))
    if OVER:
        print(f"\nOVER the limit: {len(OVER)} case(s): {'; '.join(OVER)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
