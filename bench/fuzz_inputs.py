"""Bad media and caption files against `clipindex ingest`: each must end in one clear line, in bounded time and memory.

Every case is a file made from the project's own fixtures and broken on purpose, with a seeded random generator:

  media     truncated at a random point, bytes flipped at random (anywhere, or in the first 4 KiB where the
            container's header lies), header lies (the MP4 movie header's duration or time scale rewritten; an
            MP4 header glued onto another file), zero-length streams (a container with an audio stream of no
            samples, a video with no audio, an audio stream of 0.05 s), an empty file, text or random bytes named
            as media;
  captions  random bytes, truncated, flipped bytes, cues far beyond 48 h, negative and inverted times, NUL
            bytes, invalid UTF-8, a 5 MB line, JSON of the wrong shape, JSON nested 100,000 deep, TTML that
            attacks its parser (entity expansion, an external entity, nesting 100,000 deep, a million untimed
            paragraphs).

Each case runs `clipindex ingest FILE --quiet` as a new process in a data directory of its own, with the tiny.en
model. An outcome is good when the process either exits 0 (the file was readable after all; a partial one only
with --accept-partial, which this bench does not pass) or exits 1 or 2 (failed, or input it cannot take) with
exactly one line on stderr and no traceback, and when it finishes within --timeout seconds of wall time. CPU time
(the work done, steady under load where wall time is not) and peak memory (max RSS of the process) are reported;
over --max-rss-mb counts as bad.

    .venv/bin/python bench/fuzz_inputs.py                 # 60 media + 60 caption cases, seed 1
    .venv/bin/python bench/fuzz_inputs.py --cases 20 --seed 7
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXE = [sys.executable, str(ROOT / ".venv" / "bin" / "clipindex")]
MP4, OPUS = FIXTURES / "report_en.mp4", FIXTURES / "speech_en.opus"
CAPTIONS = [FIXTURES / "captions_ru.vtt", FIXTURES / "captions_uz.srt", FIXTURES / "rolling_auto_en.vtt",
            FIXTURES / "captions_ru.json", FIXTURES / "captions_en.ttml", FIXTURES / "captions_ru.stl",
            FIXTURES / "captions_en.scc"]

Maker = Callable[[random.Random, Path], Path]


@dataclass(frozen=True)
class Outcome:
    kind: str  # "media" or "captions"
    case: str
    rc: int
    stderr: str
    seconds: float
    cpu_seconds: float
    max_rss_mb: float

    def problem(self, timeout: float, max_rss_mb: float) -> str | None:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        if self.rc == -9 and self.seconds >= timeout:
            return "no answer within the time limit"
        if self.max_rss_mb > max_rss_mb:
            return f"used {self.max_rss_mb:.0f} MB"
        if self.rc == 0:
            return None
        if self.rc not in (1, 2):  # the CLI's codes for a failed ingest and for input it cannot take
            return f"exit code {self.rc}"
        if len(lines) != 1:
            return f"{len(lines)} lines on stderr"
        if "Traceback" in self.stderr:
            return "a traceback"
        return None


# ---- media ---------------------------------------------------------------------------------------------------------
def _copy_bytes(src: Path, out: Path, data: bytes) -> Path:
    out = out.with_suffix(src.suffix)
    out.write_bytes(data)
    return out


def truncated(rng: random.Random, out: Path) -> Path:
    src = rng.choice([MP4, OPUS])
    data = src.read_bytes()
    return _copy_bytes(src, out, data[:rng.randint(1, len(data) - 1)])


def flipped(rng: random.Random, out: Path, header_only: bool = False) -> Path:
    src = rng.choice([MP4, OPUS])
    data = bytearray(src.read_bytes())
    span = min(4096, len(data)) if header_only else len(data)
    for _ in range(rng.choice([1, 4, 32, 256])):
        data[rng.randrange(span)] ^= 1 << rng.randrange(8)
    return _copy_bytes(src, out, bytes(data))


def _mvhd(data: bytearray) -> int:
    at = data.find(b"mvhd")
    if at < 0:
        raise SystemExit(f"{MP4.name} has no movie header: the fixture changed")
    return at


def header_lie(rng: random.Random, out: Path) -> Path:
    """The MP4 movie header says another duration or time scale than the streams hold."""
    data = bytearray(MP4.read_bytes())
    at = _mvhd(data) + 4  # version(1) flags(3) created(4) modified(4) timescale(4) duration(4) for version 0
    field = rng.choice(["duration", "timescale"])
    offset = at + 4 + 8 + (4 if field == "duration" else 0)
    value = rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, rng.randrange(1 << 32)])
    data[offset:offset + 4] = struct.pack(">I", value)
    return _copy_bytes(MP4, out, bytes(data))


def glued_header(rng: random.Random, out: Path) -> Path:
    """The first boxes of the MP4, then the bytes of another file."""
    head = MP4.read_bytes()[:rng.choice([32, 512, 4096])]
    tail = rng.choice([OPUS.read_bytes(), rng.randbytes(20_000), (FIXTURES / "captions_ru.vtt").read_bytes()])
    return _copy_bytes(MP4, out, head + tail)


def _ffmpeg(out: Path, *args: str) -> Path:
    ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
    subprocess.run([ffmpeg, "-v", "error", "-y", *args, str(out)], check=True)
    return out


def zero_streams(rng: random.Random, out: Path) -> Path:
    """Streams with nothing (or next to nothing) in them."""
    how = rng.choice(["no samples", "video only", "a blip"])
    if how == "no samples":
        return _ffmpeg(out.with_suffix(".m4a"), "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "0",
                       "-c:a", "aac")
    if how == "video only":
        return _ffmpeg(out.with_suffix(".mp4"), "-f", "lavfi", "-i", "color=c=black:s=64x64:d=3", "-c:v", "libx264")
    return _ffmpeg(out.with_suffix(".wav"), "-f", "lavfi", "-i", "sine=frequency=440:duration=0.05")


def not_media(rng: random.Random, out: Path) -> Path:
    body = rng.choice([b"", b"hello, this is text\n", rng.randbytes(rng.randint(1, 100_000))])
    return _copy_bytes(Path(f"x{rng.choice(['.mp4', '.mp3', '.webm', '.wav', '.opus'])}"), out, body)


MEDIA: list[tuple[str, Maker]] = [
    ("truncated", truncated), ("bit flips", flipped),
    ("header flips", lambda rng, out: flipped(rng, out, header_only=True)),
    ("header lie", header_lie), ("glued header", glued_header), ("zero-length streams", zero_streams),
    ("not media", not_media)]


# ---- captions -------------------------------------------------------------------------------------------------------
def _caption(rng: random.Random) -> tuple[Path, bytes]:
    src = rng.choice(CAPTIONS)
    return src, src.read_bytes()


def cap_random(rng: random.Random, out: Path) -> Path:
    src, _ = _caption(rng)
    return _copy_bytes(src, out, rng.randbytes(rng.randint(1, 50_000)))


def cap_truncated(rng: random.Random, out: Path) -> Path:
    src, data = _caption(rng)
    return _copy_bytes(src, out, data[:rng.randint(1, len(data) - 1)])


def cap_flipped(rng: random.Random, out: Path) -> Path:
    src, data = _caption(rng)
    buf = bytearray(data)
    for _ in range(rng.choice([1, 8, 64])):
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    return _copy_bytes(src, out, bytes(buf))


def cap_times(rng: random.Random, out: Path) -> Path:
    """Cue times that cannot be right: far beyond 48 h, negative, or ending before they start."""
    first, second = rng.choice([("99999999:00:00.000", "99999999:00:05.000"), ("49:00:00.000", "49:00:05.000"),
                                ("-00:00:05.000", "00:00:01.000"), ("00:00:09.000", "00:00:01.000"),
                                ("00:00:01.000", "00:00:01.000")])
    if rng.random() < 0.5:
        text = f"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nThe council met today.\n\n{first} --> {second}\nIt rained.\n"
        return _copy_bytes(Path("x.vtt"), out, text.encode())
    text = (f"1\n00:00:00,000 --> 00:00:02,000\nThe council met.\n\n2\n{first.replace('.', ',')} --> "
            f"{second.replace('.', ',')}\nIt rained.\n")
    return _copy_bytes(Path("x.srt"), out, text.encode())


def cap_bytes(rng: random.Random, out: Path) -> Path:
    """NUL bytes, invalid UTF-8, or one line of 5 MB."""
    src, data = _caption(rng)
    how = rng.choice(["nul", "utf8", "long"])
    if how == "nul":
        at = rng.randrange(len(data))
        data = data[:at] + b"\x00" * rng.randint(1, 1000) + data[at:]
    elif how == "utf8":
        at = rng.randrange(len(data))
        data = data[:at] + b"\xc3\x28\xff\xfe" + data[at:]
    else:
        data = data + b"\n" + b"word " * 1_000_000 + b"\n"
    return _copy_bytes(src, out, data)


def cap_json(rng: random.Random, out: Path) -> Path:
    body = rng.choice([b'{"segments": 5}', b'{"segments": [{"start": "a", "end": null, "words": 7}]}', b"[]",
                       b'{"segments": [{"start": 1e308, "end": 1e309, "text": "x"}]}', b"[" * 100_000 + b"]" * 100_000,
                       b'{"language": {"x": 1}, "segments": []}'])
    return _copy_bytes(Path("x.json"), out, body)


def cap_xml(rng: random.Random, out: Path) -> Path:
    """TTML that attacks its parser: entity expansion ("billion laughs"), an external entity, nesting 100,000 deep,
    a million paragraphs without times, times in units it does not know."""
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = rng.choice([
        f'<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY l0 "ha">{laughs}]><tt><body><p begin="1s" end="2s">&l9;</p>'
        "</body></tt>",
        '<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY x SYSTEM "file:///etc/passwd">]><tt><body>'
        '<p begin="1s" end="2s">&x;</p></body></tt>',
        '<tt><body><div><p begin="1s" end="2s">' + "<span>" * 100_000 + "x" + "</span>" * 100_000
        + "</p></div></body></tt>",
        "<tt><body><div>" + "<p>untimed</p>" * 1_000_000 + "</div></body></tt>",
        '<tt><body><p begin="1 fortnight" end="2s">x</p></body></tt>'])
    return _copy_bytes(Path("x.ttml"), out, body.encode())


CAPTION_CASES: list[tuple[str, Maker]] = [
    ("random bytes", cap_random), ("truncated", cap_truncated), ("flipped bytes", cap_flipped),
    ("impossible times", cap_times), ("odd bytes", cap_bytes), ("malformed JSON", cap_json),
    ("hostile TTML", cap_xml)]


# ---- running ------------------------------------------------------------------------------------------------------
def run_case(kind: str, case: str, path: Path, timeout: float) -> Outcome:
    data = path.parent / f"{path.stem}-data"
    argv = [*EXE, "ingest", path.name, "--data-dir", str(data), "--quiet", "--model", "tiny.en"]
    if kind == "captions":
        argv += ["--language", "en"]
    errors = path.parent / f"{path.stem}.stderr"
    t0 = time.perf_counter()
    with errors.open("wb") as sink:
        child = subprocess.Popen(argv, cwd=path.parent, stdout=subprocess.DEVNULL, stderr=sink,
                                 env=dict(os.environ, COLUMNS="200", NO_COLOR="1"))
        while True:  # wait4 rather than wait: it gives this child's own peak memory
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
    child.returncode = rc = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    stderr = errors.read_text(encoding="utf-8", errors="replace")
    errors.unlink()
    shutil.rmtree(data, ignore_errors=True)
    return Outcome(kind, case, rc, stderr, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=60, help="cases of each kind (media, captions)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds one ingest may take")
    parser.add_argument("--max-rss-mb", type=float, default=1500.0, help="peak memory one ingest may use")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    load0 = os.getloadavg()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="clipindex-fuzz-") as tmp:
        for kind, makers in (("media", MEDIA), ("captions", CAPTION_CASES)):
            for n in range(args.cases):
                case, make = makers[n % len(makers)]
                path = make(rng, Path(tmp) / f"{kind}-{n:03d}")
                outcomes.append(run_case(kind, case, path, args.timeout))
                path.unlink(missing_ok=True)
    problems = [(o, o.problem(args.timeout, args.max_rss_mb)) for o in outcomes]
    print(f"# fuzzing ingest, {datetime.date.today()}, {platform.machine()}, {os.cpu_count()} CPUs; load average "
          f"{load0[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end; seed {args.seed}\n")
    print("| kind | case | tried | refused in one line | accepted | bad | most CPU | slowest (wall) | "
          "largest peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    groups: dict[tuple[str, str], list[tuple[Outcome, str | None]]] = {}
    for o, p in problems:
        groups.setdefault((o.kind, o.case), []).append((o, p))
    for (kind, case), rows in groups.items():
        tally = Counter("bad" if p else ("accepted" if o.rc == 0 else "refused") for o, p in rows)
        print(f"| {kind} | {case} | {len(rows)} | {tally['refused']} | {tally['accepted']} | {tally['bad']} | "
              f"{max(o.cpu_seconds for o, _ in rows):.1f} s | {max(o.seconds for o, _ in rows):.1f} s | "
              f"{max(o.max_rss_mb for o, _ in rows):.0f} MB |")
    bad = [(o, p) for o, p in problems if p]
    print(f"\n{len(outcomes)} files tried, {len(bad)} bad outcomes")
    for o, p in bad:
        print(f"  {o.kind} / {o.case}: {p}: {o.stderr.strip()[-400:]!r}")
    refusals = Counter(o.stderr.strip().split(": ", 2)[-1][:70] for o, p in problems if o.rc and not p)
    print("\nthe commonest refusals:")
    for message, count in refusals.most_common(8):
        print(f"  {count:3d}  {message}")
    print(f"\nreproduce: .venv/bin/python bench/fuzz_inputs.py --cases {args.cases} --seed {args.seed}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
