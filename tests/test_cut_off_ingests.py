"""An ingest killed before its index step (during chapters) leaves a video that search does not find until the
ingest, run again, resumes and indexes it: `reindex --missing`, a full `reindex` and a search's refill leave it
out, and the reindexes name it with the command that finishes it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.store.db import Store
from indexer.store.status import AHEAD_OF_INDEX, held_back
from tests.conftest import FIXTURES
from tests.test_ingest import cli, subprocess_cli

ROOT = Path(__file__).resolve().parents[1]
SRT = "1\n00:00:00,500 --> 00:00:07,000\nThe Green River flooded several streets in the old town on Sunday.\n\n" \
      "2\n00:00:07,400 --> 00:00:10,300\nAbout 300 homes were left without power.\n"


def _report(folder: Path) -> Path:
    """The fixture report with a sidecar caption file (no recognition: the ingest takes a second)."""
    folder.mkdir(parents=True, exist_ok=True)
    media = Path(shutil.copy(FIXTURES / "report_en.mp4", folder / "flood.mp4"))
    media.with_suffix(".srt").write_text(SRT, encoding="utf-8")
    return media


def _ingest_killed_in_chapters(settings: Settings, media: Path) -> None:
    """`clipindex ingest` as a process SIGKILLed while its chapters step runs."""
    code = ("import os, signal\nimport indexer.ingest.steps as steps\n"
            "steps.segment = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
            "from indexer.config import load_settings\nfrom indexer.service import Clipindex, IngestOptions\n"
            f"svc = Clipindex(load_settings(env={{}}, data_dir={str(settings.data_dir)!r}))\n"
            f"list(svc.ingest({str(media)!r}, IngestOptions()))\n")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr


def _found(settings: Settings, word: str) -> list[str]:
    code, out, err = cli(settings, "search", word, "--json")
    assert code == 0, err
    return [hit["video_id"] for hit in json.loads(out)]


@pytest.mark.slow  # worker processes
def test_reindex_missing_leaves_out_a_video_whose_chapters_step_was_cut_off(settings: Settings,
                                                                           tmp_path: Path) -> None:
    media = _report(tmp_path / "reports")
    _ingest_killed_in_chapters(settings, media)
    code, out, _ = cli(settings, "videos", "--json")
    [video] = json.loads(out)
    assert video["state"] == "incomplete" and video["unfinished"] == {"chapters": "cut off"}  # not "ingesting"
    assert held_back(Store(settings.db_path)) == {video["id"]}

    code, out, err = subprocess_cli(settings, "reindex", "--missing")
    assert code == 0, err
    assert "added 0 videos" in out
    assert f"{video['id']}  flood  incomplete (chapters cut off): clipindex ingest {media}" in err
    assert _found(settings, "flooded") == []  # nor did the search's refill of an empty index add it

    code, out, err = subprocess_cli(settings, "reindex")
    assert code == 0, err
    assert "indexed 0 passages" in out and f"clipindex ingest {media}" in err
    assert _found(settings, "flooded") == []

    code, out, err = cli(settings, "ingest", str(media))  # resumes at chapters, then indexes it
    assert code == 0 and out.startswith(f"ingested: {video['id']}"), err
    assert _found(settings, "flooded") == [video["id"]]
    code, out, err = subprocess_cli(settings, "reindex", "--missing")
    assert code == 0 and "not indexed" not in err, err
    assert held_back(Store(settings.db_path)) == set()


def test_the_steps_ahead_of_the_index_are_the_chains() -> None:
    from indexer.ingest.types import STEPS

    assert STEPS[:STEPS.index("index")] == AHEAD_OF_INDEX
