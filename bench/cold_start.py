"""Cold start: wall time of `clipindex` commands in fresh processes, and which imports they spend it on.

Run:  .venv/bin/python bench/cold_start.py                        (7 runs per command; about a minute)
      .venv/bin/python bench/cold_start.py --repeat 15
      git worktree add --detach /tmp/coldbase HEAD                  (the last commit, to compare the work tree with)
      .venv/bin/python bench/cold_start.py --compare /tmp/coldbase  (both timed in the same run, interleaved)

A small archive (seven caption files: the three caption fixtures, and four stories from tests/fixtures/texts written
out as SRT with evenly spread cues) is built in a temporary folder with `clipindex ingest FILE --language xx`, so no
Whisper model runs. Then every command runs N times as a new process (`.venv/bin/clipindex ...`), and the table gives
the median and the fastest wall time. With --compare, the other checkout runs the same commands against the same
archive (PYTHONPATH set to it, so its packages shadow the installed ones), interleaved with this one, so that load
from other work falls on both alike. Targets (issue 10): `--help` under 0.3 s, `search` under 0.6 s on a 2-core
machine. The import profile (`python -X importtime`) lists the packages each command spends its imports on.

CPU time (user + system of the child) is printed beside wall time: every command is single-threaded, so wall time
well above CPU time means the run waited for a core. On a busy machine both grow (two vCPUs share caches), so compare
columns of one run rather than numbers from different runs, and prefer the fastest run. Compiled bytecode is
cached in a temporary folder (PYTHONPYCACHEPREFIX), as an installed package has it, even where the environment sets
PYTHONDONTWRITEBYTECODE; --no-bytecode-cache compiles the project's modules from source on every run instead.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CAPTIONS = [("captions_ru.vtt", "ru"), ("captions_uz.srt", "uz"), ("rolling_auto_en.vtt", "en")]
STORIES = ["story_02", "story_04", "story_06", "story_08"]
WORD = "council"
QUOTE = '"flooded several streets in the old town"'
WORDS_PER_S = 2.6


@dataclass(frozen=True)
class Tree:
    name: str
    path: Path
    pycache: Path | None  # where compiled bytecode is kept; None: compile from source on every run

    def env(self) -> dict[str, str]:
        env = dict(os.environ, COLUMNS="120", NO_COLOR="1")
        env.pop("CLIPINDEX_DATA_DIR", None)
        if self.pycache is not None:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(self.pycache)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        if self.path != ROOT:
            env["PYTHONPATH"] = str(self.path)
        return env


def paced_srt(words: list[str], words_per_s: float = WORDS_PER_S) -> str:
    """Words as SRT, as a reader says them: one cue per sentence-sized chunk of 12 words, 0.3 s between cues."""
    from media.captions import Cue, write_srt  # deferred: the project's code is what the children time

    cues, t = [], 0.5
    for i in range(0, len(words), 12):
        chunk = words[i:i + 12]
        end = t + len(chunk) / words_per_s
        cues.append(Cue(t, end, " ".join(chunk)))
        t = end + 0.3
    return write_srt(cues)


def stories_srt(stories: list[Path]) -> str:
    """Stories read one after another, as SRT."""
    return paced_srt(" ".join(" ".join(json.loads(s.read_text(encoding="utf-8"))["paragraphs"])
                              for s in stories).split())


def programme_srt(n: int, stories: list[Path]) -> str:
    """A long programme: every story of the fixtures once, in an order of its own, as one SRT."""
    order = list(stories)
    random.Random(n).shuffle(order)  # a different file per programme: the same content would be ingested once
    return stories_srt(order)


def passage_count(data: Path) -> int:
    from indexer.search.index import open_index  # the bench reads the index it built, in this process only
    return int(open_index(data / "index").searcher().doc_count())


def build_archive(work: Path, exe: list[str], tree: Tree, passages: int = 0) -> Path:
    """The small archive; with `passages`, long programmes are added until the index holds at least that many."""
    data = work / "data"
    files: dict[str, list[Path]] = defaultdict(list)
    for name, lang in CAPTIONS:
        files[lang].append(FIXTURES / name)
    for story in STORIES:
        path = work / f"{story}.srt"
        path.write_text(stories_srt([FIXTURES / "texts" / f"{story}.json"]), encoding="utf-8")
        files["en"].append(path)
    for lang, paths in files.items():
        subprocess.run([*exe, "ingest", *map(str, paths), "--language", lang, "--data-dir", str(data), "--quiet"],
                       check=True, stdout=subprocess.DEVNULL, env=tree.env())
    stories = sorted((FIXTURES / "texts").glob("*.json"))
    n, count = 0, passage_count(data)
    while count < passages:
        batch = []
        for _ in range(10):
            path = work / f"programme_{n:03d}.srt"
            path.write_text(programme_srt(n, stories), encoding="utf-8")
            batch.append(str(path))
            n += 1
        subprocess.run([*exe, "ingest", *batch, "--language", "en", "--data-dir", str(data), "--quiet"],
                       check=True, stdout=subprocess.DEVNULL, env=tree.env())
        count, before = passage_count(data), count
        if count == before:
            raise SystemExit(f"ten more programmes added no passage to the index (still {count})")
    return data


def commands(data: Path, video_id: str) -> list[tuple[str, list[str]]]:
    d = ["--data-dir", str(data)]
    return [("--help", ["--help"]),
            ("videos", ["videos", *d]),
            (f"search {WORD}", ["search", WORD, *d]),
            ("search '\"quote\"'", ["search", QUOTE, *d]),
            ("transcript ID", ["transcript", video_id, *d])]


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of the command, as a new process."""
    cpu0, t0 = cpu_children(), time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=tempfile.gettempdir())
    elapsed, cpu = time.perf_counter() - t0, cpu_children() - cpu0
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed, cpu


def serve_startup(exe: list[str], data: Path, env: dict[str, str]) -> float:
    """Seconds from starting `clipindex serve` until it answers, with the search index deleted first: the server
    must rebuild it from the store, which it does in the background since the index is reconciled there."""
    shutil.rmtree(data / "index", ignore_errors=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    t0 = time.perf_counter()
    server = subprocess.Popen([*exe, "serve", "--port", str(port), "--workers", "0", "--data-dir", str(data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir())
    try:
        while time.perf_counter() - t0 < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/videos", timeout=2) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.02)
        raise SystemExit("the server did not answer within 120 s")
    finally:
        server.terminate()
        server.wait(30)


def import_profile(exe: list[str], args: list[str], env: dict[str, str], top: int) -> tuple[float, list[str]]:
    """Total import time of one run, and the top-level packages that took most of it (their own time, summed)."""
    done = subprocess.run([sys.executable, "-X", "importtime", *exe[1:], *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=env, cwd=tempfile.gettempdir(), text=True, check=True)
    per_package: dict[str, int] = defaultdict(int)
    total = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        per_package[name.strip().split(".")[0]] += int(self_us)
        total += int(self_us)
    ranked = sorted(per_package.items(), key=lambda kv: -kv[1])[:top]
    return total / 1e6, [f"{name} {us / 1000:.0f}" for name, us in ranked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (median and fastest are shown)")
    parser.add_argument("--compare", type=Path, help="another checkout (e.g. a git worktree of main) to time alike")
    parser.add_argument("--top", type=int, default=8, help="packages shown in the import profile")
    parser.add_argument("--passages", type=int, default=0,
                        help="add long caption programmes until the archive holds at least this many passages "
                             "(issue 15's start-up target is for 2,000)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="compile the project's modules from source on every run (PYTHONDONTWRITEBYTECODE=1)")
    args = parser.parse_args()

    load0 = os.getloadavg()
    exe = [sys.executable, str(ROOT / ".venv" / "bin" / "clipindex")]
    if not Path(exe[1]).exists():
        exe = [sys.executable, "-m", "api.cli"]
    with tempfile.TemporaryDirectory(prefix="clipindex-cold-") as tmp:
        pycache = None if args.no_bytecode_cache else Path(tmp) / "pycache"
        trees = [Tree("this", ROOT, pycache)]
        if args.compare:
            trees.append(Tree(args.compare.name, args.compare.resolve(), pycache))
        t0 = time.perf_counter()
        data = build_archive(Path(tmp), exe, trees[0], args.passages)
        passages = passage_count(data)
        listing = subprocess.run([*exe, "videos", "--json", "--data-dir", str(data)], check=True, capture_output=True,
                                 text=True, env=trees[0].env())
        videos = json.loads(listing.stdout)
        built = time.perf_counter() - t0
        cmds = commands(data, videos[0]["id"])
        for query in (WORD, QUOTE):  # time real searches: each finds something (and so links the hit to articles)
            found = subprocess.run([*exe, "search", query, "--json", "--data-dir", str(data)], check=True,
                                   capture_output=True, text=True, env=trees[0].env())
            if not json.loads(found.stdout):
                raise SystemExit(f"search {query} found nothing in the archive")

        runs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        for tree in trees:  # one unmeasured run each: files in the page cache, bytecode compiled (unless told not to)
            for _, cmd in cmds:
                timed([*exe, *cmd], tree.env())
        for _ in range(args.repeat):
            for label, cmd in cmds:
                for tree in trees:
                    runs[(tree.name, label)].append(timed([*exe, *cmd], tree.env()))

        startups = {tree.name: [serve_startup(exe, data, tree.env()) for _ in range(3)] for tree in trees}
        profiles = {(tree.name, label): import_profile(exe, cmd, tree.env(), args.top)
                    for tree in trees for label, cmd in (cmds[0], cmds[2])}

    print(f"# cold start, {datetime.date.today()}, {platform.machine()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}; load average at start {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
          f"at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"archive: {len(videos)} videos ({passages} passages) from caption files, built in {built:.1f} s; "
          f"{args.repeat} runs per command, "
          f"each a new process: {shlex.join(exe)} ...; bytecode "
          f"{'compiled on every run' if args.no_bytecode_cache else 'cached'}\n")
    print(f"| command | {' | '.join(f'{t.name}: wall median / fastest, CPU median' for t in trees)} |")
    print("|---|" + "---|" * len(trees))
    for label, _ in cmds:
        cells = []
        for t in trees:
            walls, cpus = [w for w, _ in runs[(t.name, label)]], [c for _, c in runs[(t.name, label)]]
            cells.append(f"{statistics.median(walls):.3f} / {min(walls):.3f} s, {statistics.median(cpus):.3f} s")
        print(f"| `clipindex {label}` | {' | '.join(cells)} |")
    cells = [f"{statistics.median(v):.3f} / {min(v):.3f} s" for v in startups.values()]
    print(f"| `clipindex serve` until it answers, index deleted first | {' | '.join(cells)} |")
    print("\nimports (python -X importtime, one run; own time per top-level package, ms):")
    for (tree_name, label), (total, ranked) in profiles.items():
        print(f"  {tree_name:>10} {label:<16} {total:.3f} s: {', '.join(ranked)}")
    print("\nreproduce: .venv/bin/python bench/cold_start.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]))


if __name__ == "__main__":
    main()
