"""A reel edited from the command line alone: rename, trim and delete, as the API and the web page could already."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from indexer.config import Settings
from indexer.errors import NotFound
from indexer.service import Clipindex
from tests.conftest import stored_video

runner = CliRunner()


def _run(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"CLIPINDEX_DATA_DIR": str(settings.data_dir)})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def reel(svc: Clipindex) -> str:
    video = stored_video(svc)
    rid = svc.reels.new("Flood week").id
    svc.reels.add_range(rid, video, 10.0, 20.0, snap_to="none")
    svc.reels.add_range(rid, video, 40.0, 50.0, snap_to="none")
    return rid


def test_a_reel_is_renamed_by_id_or_title_and_keeps_its_id_and_clips(svc: Clipindex, settings: Settings,
                                                                      reel: str) -> None:
    code, said, _ = _run(settings, "reel", "rename", reel, "Flood week: the best of")
    assert code == 0 and said.startswith(f"{reel}  Flood week: the best of  (2 clips")
    code, _, _ = _run(settings, "reel", "rename", "Flood week: the best of", "Flood week, final")  # by title
    assert code == 0
    renamed = svc.reels.get(reel)
    assert renamed.title == "Flood week, final" and len(renamed.clips) == 2


def test_a_clip_is_trimmed_to_new_edges_and_keeps_its_place_and_label(svc: Clipindex, settings: Settings,
                                                                       reel: str) -> None:
    before = svc.reels.get(reel).clips
    code, said, _ = _run(settings, "reel", "trim", reel, "2", "42.5", "47")
    assert code == 0, said
    after = svc.reels.get(reel).clips
    assert after[0] == before[0]
    assert after[1].label == before[1].label and after[1].video_id == before[1].video_id
    # snapped out to whole words: the new edges hold 42.5-47 and stay well inside the old 40-50
    assert 40.0 < after[1].start <= 42.5 and 47.0 <= after[1].end < 50.0


@pytest.mark.parametrize("args, message", [
    (["2", "47", "42.5"], "end"),  # backwards
    (["3", "1", "2"], "clip 3"),  # no such clip
    (["1", "130", "140"], "120"),  # after the video's end
])
def test_a_bad_trim_says_why_and_changes_nothing(svc: Clipindex, settings: Settings, reel: str,
                                                 args: list[str], message: str) -> None:
    before = svc.reels.get(reel)
    code, _, error = _run(settings, "reel", "trim", reel, *args)
    assert code != 0 and message in error and "Traceback" not in error, error
    assert svc.reels.get(reel) == before


def test_a_reel_is_deleted_and_its_videos_stay(svc: Clipindex, settings: Settings, reel: str) -> None:
    code, said, _ = _run(settings, "reel", "delete", reel)
    assert code == 0 and said.strip() == f"deleted {reel}  Flood week  (2 clips)"
    with pytest.raises(NotFound):
        svc.reels.get(reel)
    assert [v.id for v in svc.videos()] == ["file:stored"]
    code, _, error = _run(settings, "reel", "delete", reel)  # gone: said once, in one line
    assert code != 0 and "no reel" in error and "Traceback" not in error, error


def test_the_new_commands_are_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for command in ("clipindex reel rename", "clipindex reel trim", "clipindex reel delete"):
        assert command in readme, command
