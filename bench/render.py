"""Render benchmark: accurate (re-encode) vs fast (smart cut) mode side by side, on long clips cut mid-GOP.

Run:  .venv/bin/python bench/render.py             (reels of 3 x 20 s and 3 x 60 s; about 4 minutes on 2 cores)
      .venv/bin/python bench/render.py --quick     (3 x 20 s only; --clip-seconds 60 for the long clips only)

The source is a synthetic 1280x720 30 fps H.264 video (ffmpeg's moving testsrc2 pattern, x264 superfast with
B-frames) with a keyframe every 10 s and 48 kHz stereo AAC of speech (the project's espeak-ng stories, looped; a
330 Hz tone with --sound tone), made once in a temporary folder. Each clip's in point
falls 3.37 s past a keyframe and its out point 3.37 s past another, so the fast mode encodes about 10 s around the
cuts of every clip and copies the rest. Targets (issue 14): fast mode within one frame of the clips' length and at
least 5x faster than accurate on long clips; accurate mode faster than real time at 720p. Real footage (grain,
camera motion) costs the encoder more than the test pattern, in both modes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media.ffmpeg import run  # noqa: E402
from media.render import ClipSource, RenderOptions, RenderResult, render_reel  # noqa: E402
from media.smartcut import plan_cut  # noqa: E402

GOP_S = 10
SOURCE_S = 200


SPEECH = ROOT / "tests" / "fixtures" / "speech_en.opus"  # the project's own stories read by espeak-ng, 87 s


def make_source(work: Path, sound: str = "speech") -> Path:
    src = work / "source_720p.mp4"
    # a news report's sound is speech; a steady tone (--sound tone) is a hard case for the AAC encoder's search
    audio = (["-stream_loop", "-1", "-i", str(SPEECH)] if sound == "speech" else
             ["-f", "lavfi", "-i", f"sine=f=330:r=48000:d={SOURCE_S}"])
    run(["-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=30:d={SOURCE_S}", *audio, "-t", str(SOURCE_S),
         "-ar", "48000", "-ac", "2",
         "-c:v", "libx264", "-preset", "superfast", "-g", str(30 * GOP_S), "-keyint_min", str(30 * GOP_S),
         "-sc_threshold", "0", "-c:a", "aac", "-b:a", "128k", str(src)])
    return src


def reel(src: Path, clip_s: float) -> list[ClipSource]:
    """Three clips, each starting 3.37 s past a keyframe, spread over the source."""
    step = (SOURCE_S - clip_s - 4) // 3 // GOP_S * GOP_S
    return [ClipSource(src, i * step + 3.37, i * step + 3.37 + clip_s, f"clip {i + 1}") for i in range(3)]


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg): unlike wall time, other load hardly moves it."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def best_of(repeat: int, clips: list[ClipSource], out: Path, opts: RenderOptions) -> tuple[RenderResult, float]:
    """The fastest of `repeat` renders, with the CPU seconds it used."""
    runs = []
    for _ in range(repeat):
        before = cpu_seconds()
        result = render_reel(clips, out, opts, allowed_dir=out.parent)
        runs.append((result, cpu_seconds() - before))
    return min(runs, key=lambda r: r[0].elapsed_s)


def _encoded_s(clip: ClipSource) -> float:
    return plan_cut(clip.media, clip.start, clip.end).encoded_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the 3 x 20 s reel")
    parser.add_argument("--clip-seconds", type=float, nargs="+", help="clip lengths to run (default 20 and 60)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell; the fastest is reported")
    parser.add_argument("--preset", default=RenderOptions().preset, help="libx264 preset for the accurate mode")
    parser.add_argument("--sound", choices=["speech", "tone"], default="speech",
                        help="the source's sound: looped speech (default) or a 330 Hz tone")
    args = parser.parse_args()
    lengths = args.clip_seconds or ([20.0] if args.quick else [20.0, 60.0])
    print(f"# render benchmark, {datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="clipindex-bench-") as tmp:
        work = Path(tmp)
        src = make_source(work, args.sound)
        print(f"source: {src.name}, 1280x720 30 fps H.264 (testsrc2), keyframe every {GOP_S} s, {SOURCE_S} s, "
              f"48 kHz stereo AAC ({args.sound})\n")
        print(f"| reel | accurate (x264 {args.preset}): wall, CPU | fast (smart cut): wall, CPU | fast vs accurate: "
              "wall, CPU | fast: output vs asked, encoded around cuts |")
        print("|---|---|---|---|---|")
        for clip_s in lengths:
            clips = reel(src, clip_s)
            asked = sum(c.end - c.start for c in clips)
            slow, slow_cpu = best_of(args.repeat, clips, work / "accurate.mp4", RenderOptions(preset=args.preset))
            fast, fast_cpu = best_of(args.repeat, clips, work / "fast.mp4", RenderOptions(fast=True))
            encoded = sum(_encoded_s(c) for c in clips)
            print(f"| 3 x {clip_s:.0f} s | {slow.elapsed_s:.1f} s, {slow_cpu:.1f} s | {fast.elapsed_s:.1f} s, "
                  f"{fast_cpu:.1f} s | {slow.elapsed_s / fast.elapsed_s:.1f}x, {slow_cpu / fast_cpu:.1f}x "
                  f"| {fast.duration:.2f} s vs {asked:.2f} s, {encoded:.1f} s |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    print("reproduce: .venv/bin/python bench/render.py" + (" --quick" if args.quick else "")
          + (" --sound tone" if args.sound == "tone" else ""))


if __name__ == "__main__":
    main()
