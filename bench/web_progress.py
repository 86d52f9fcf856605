"""How an ingest's progress bar moves, as the web page sees it: a long file uploaded over HTTP, its job polled.

Prints the number of distinct progress values while transcribing, the largest jump of the bar, how long the bar sat
still at most, and how good the "time left" estimate was at a quarter, half and three quarters of the audio.

    .venv/bin/python bench/web_progress.py --minutes 6
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.config import load_settings  # noqa: E402
from indexer.service import Clipindex  # noqa: E402
from media.ffmpeg import ffmpeg_binary  # noqa: E402
from tests.apiserver import running  # noqa: E402

SPEECH = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "speech_en.opus"


def long_file(folder: Path, minutes: float) -> Path:
    out = folder / "long.wav"
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", "-stream_loop", "-1", "-i", str(SPEECH),
                    "-t", str(minutes * 60), "-ar", "16000", "-ac", "1", str(out)], check=True)
    return out


def poll(minutes: float, model: str) -> list[tuple[float, dict]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        service = Clipindex(load_settings(env={}, data_dir=folder / "data", model=model))
        _key, secret = service.keys.create("bench")
        media = long_file(folder, minutes)
        seen: list[tuple[float, dict]] = []
        with running(service, workers=1) as url, httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
            job = client.post("/v1/videos", files={"file": ("long.wav", media.read_bytes())}).json()
            t0 = time.monotonic()
            while True:
                state = client.get(f"/v1/jobs/{job['id']}").json()
                seen.append((time.monotonic() - t0, state))
                if state["state"] not in ("queued", "running"):
                    return seen
                time.sleep(0.5)


def report(seen: list[tuple[float, dict]], minutes: float, model: str) -> None:
    end = seen[-1][0]
    values = [s["progress"] for _, s in seen]
    jumps = [b - a for a, b in zip(values, values[1:])]
    still, since = 0.0, 0.0
    for (t, s), (_t0, prev) in zip(seen[1:], seen):
        if s["progress"] != prev["progress"]:
            since = t
        still = max(still, t - since)
    during = [(t, s) for t, s in seen if (s.get("step") or "").startswith("transcript")]
    print(f"{minutes:g} min of speech, model {model}: ingest took {end:.0f} s; {len(seen)} polls every 0.5 s")
    print(f"  final state {seen[-1][1]['state']}; distinct progress values while transcribing: "
          f"{len({s['progress'] for _, s in during})}")
    print(f"  largest jump of the bar: {max(jumps) * 100:.0f} points; longest time the bar stood still: {still:.0f} s")
    print(f"  bar at the end of transcription: {max((s['progress'] for _, s in during), default=0) * 100:.0f}%")
    for share in (0.25, 0.5, 0.75):
        pick = next(((t, s) for t, s in during if s.get("audio_total") and s.get("audio_done", 0) >= share
                     * s["audio_total"] and s.get("eta_s") is not None), None)
        if pick is None:
            print(f"  at {share:.0%} of the audio: no estimate of time left")
            continue
        t, s = pick
        actual = max(t2 for t2, _ in during) - t
        print(f"  at {share:.0%} of the audio: estimated {s['eta_s']:.0f} s left, actually {actual:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=6.0)
    parser.add_argument("--model", default="tiny.en")
    args = parser.parse_args()
    load = os.getloadavg()
    report(poll(args.minutes, args.model), args.minutes, args.model)
    print(f"  load before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"reproduce: .venv/bin/python bench/web_progress.py --minutes {args.minutes:g} --model {args.model}")


if __name__ == "__main__":
    main()
