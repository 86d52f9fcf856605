"""Cold start: wall time of `clipindex` commands in fresh processes, and which imports they spend it on.

Run:  .venv/bin/python bench/cold_start.py                        (7 runs per command; about a minute)
      .venv/bin/python bench/cold_start.py --repeat 15
      .venv/bin/python bench/cold_start.py --compare /tmp/coldbase  (another checkout, timed in the same run)

A small archive (seven caption files: the three caption fixtures, and four stories from tests/fixtures/texts written
out as SRT with evenly spread cues) is built in a temporary folder with `clipindex ingest FILE --language xx`, so no
Whisper model runs. Then every command runs N times as a new process (`.venv/bin/clipindex ...`), and the table gives
the median and the fastest wall time. With --compare, the other checkout runs the same commands against the same
archive (PYTHONPATH set to it, so its packages shadow the installed ones), interleaved with this one, so that load
from other work falls on both alike. Targets (issue 10): `--help` under 0.3 s, `search` under 0.6 s on a 2-core
machine. The import profile (`python -X importtime`) lists the packages each command spends its imports on.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
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

    def env(self) -> dict[str, str]:
        env = dict(os.environ, COLUMNS="120", NO_COLOR="1")
        env.pop("CLIPINDEX_DATA_DIR", None)
        if self.path != ROOT:
            env["PYTHONPATH"] = str(self.path)
        return env


def srt_clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def story_srt(story: Path) -> str:
    """A story as SRT: one cue per sentence-sized chunk of 12 words, timed at a speaking pace."""
    text = " ".join(json.loads(story.read_text(encoding="utf-8"))["paragraphs"])
    words = text.split()
    cues, t = [], 0.5
    for n, i in enumerate(range(0, len(words), 12), 1):
        chunk = words[i:i + 12]
        end = t + len(chunk) / WORDS_PER_S
        cues.append(f"{n}\n{srt_clock(t)} --> {srt_clock(end)}\n{' '.join(chunk)}\n")
        t = end + 0.3
    return "\n".join(cues)


def build_archive(work: Path, exe: list[str]) -> Path:
    data = work / "data"
    files: dict[str, list[Path]] = defaultdict(list)
    for name, lang in CAPTIONS:
        files[lang].append(FIXTURES / name)
    for story in STORIES:
        path = work / f"{story}.srt"
        path.write_text(story_srt(FIXTURES / "texts" / f"{story}.json"), encoding="utf-8")
        files["en"].append(path)
    for lang, paths in files.items():
        subprocess.run([*exe, "ingest", *map(str, paths), "--language", lang, "--data-dir", str(data), "--quiet"],
                       check=True, stdout=subprocess.DEVNULL, env=Tree("this", ROOT).env())
    return data


def commands(data: Path, video_id: str) -> list[tuple[str, list[str]]]:
    d = ["--data-dir", str(data)]
    return [("--help", ["--help"]),
            ("videos", ["videos", *d]),
            (f"search {WORD}", ["search", WORD, *d]),
            ("search '\"quote\"'", ["search", QUOTE, *d]),
            ("transcript ID", ["transcript", video_id, *d])]


def wall(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=tempfile.gettempdir())
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed


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
    args = parser.parse_args()

    load0 = os.getloadavg()
    exe = [sys.executable, str(ROOT / ".venv" / "bin" / "clipindex")]
    if not Path(exe[1]).exists():
        exe = [sys.executable, "-m", "api.cli"]
    trees = [Tree("this", ROOT)] + ([Tree(args.compare.name, args.compare.resolve())] if args.compare else [])

    with tempfile.TemporaryDirectory(prefix="clipindex-cold-") as tmp:
        t0 = time.perf_counter()
        data = build_archive(Path(tmp), exe)
        listing = subprocess.run([*exe, "videos", "--json", "--data-dir", str(data)], check=True, capture_output=True,
                                 text=True, env=trees[0].env())
        videos = json.loads(listing.stdout)
        built = time.perf_counter() - t0
        cmds = commands(data, videos[0]["id"])

        runs: dict[tuple[str, str], list[float]] = defaultdict(list)
        for tree in trees:  # one unmeasured run each, so that every timed run finds the files in the page cache
            for _, cmd in cmds:
                wall([*exe, *cmd], tree.env())
        for _ in range(args.repeat):
            for label, cmd in cmds:
                for tree in trees:
                    runs[(tree.name, label)].append(wall([*exe, *cmd], tree.env()))

        profiles = {(tree.name, label): import_profile(exe, cmd, tree.env(), args.top)
                    for tree in trees for label, cmd in (cmds[0], cmds[2])}

    print(f"# cold start, {datetime.date.today()}, {platform.machine()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}; load average at start {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
          f"at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"archive: {len(videos)} videos from caption files, built in {built:.1f} s; {args.repeat} runs per command, "
          f"each a new process: {shlex.join(exe)} ...\n")
    header = f"| command | {' | '.join(f'{t.name} median / fastest' for t in trees)} |"
    print(header)
    print("|---|" + "---|" * len(trees))
    for label, _ in cmds:
        cells = [f"{statistics.median(runs[(t.name, label)]):.3f} / {min(runs[(t.name, label)]):.3f} s" for t in trees]
        print(f"| `clipindex {label}` | {' | '.join(cells)} |")
    print("\nimports (python -X importtime, one run; own time per top-level package, ms):")
    for (tree_name, label), (total, ranked) in profiles.items():
        print(f"  {tree_name:>10} {label:<16} {total:.3f} s: {', '.join(ranked)}")
    print("\nreproduce: .venv/bin/python bench/cold_start.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]))


if __name__ == "__main__":
    main()
