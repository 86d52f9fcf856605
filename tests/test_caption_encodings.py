"""Caption files as broadcast tools write them: UTF-8 with or without BOM, UTF-16, Windows-1251/1252; absurd times."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.errors import IngestError, InvalidInput
from indexer.service import Clipindex, IngestOptions
from media.captions import read_captions
from media.errors import CaptionError

RU = "1\n00:00:01,000 --> 00:00:03,000\nУровень воды в реке Каменке поднялся на два метра.\n\n" \
     "2\n00:00:04,000 --> 00:00:06,500\nК утру были подтоплены 140 домов.\n"
FR = "1\n00:00:01,000 --> 00:00:03,000\nLe niveau de l'eau a augmenté de deux mètres à Sète.\n\n" \
     "2\n00:00:04,000 --> 00:00:06,500\nLes élèves ont été évacués vers l'école voisine.\n"


@pytest.mark.parametrize("text, encoding", [
    (RU, "utf-8"), (RU, "utf-8-sig"), (RU, "utf-16"), (RU, "utf-16-be"), (RU, "cp1251"),
    (FR, "utf-8"), (FR, "utf-16-le"), (FR, "cp1252"), (FR, "latin-1"),
])
def test_caption_files_in_the_encodings_broadcast_tools_write(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "report.srt"
    data = text.encode(encoding)
    if encoding in ("utf-16-be", "utf-16-le"):  # tools write the byte order mark with UTF-16
        data = ("\ufeff" + text).encode(encoding)
    path.write_bytes(data)
    cues = read_captions(path)
    assert [c.text for c in cues] == [line for line in text.split("\n") if line and not line[0].isdigit()]
    assert (cues[0].start, cues[-1].end) == (1.0, 6.5)


def test_a_cue_far_beyond_any_broadcast_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.srt"
    path.write_text("1\n99999999:00:00,000 --> 99999999:00:01,000\nHello.\n", encoding="utf-8")
    with pytest.raises(CaptionError, match="beyond 48 hours"):
        read_captions(path)


def test_binary_data_is_still_not_a_caption_file(tmp_path: Path) -> None:
    path = tmp_path / "noise.srt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(CaptionError):
        read_captions(path)


def test_sidecar_captions_past_the_end_of_their_media_are_refused(settings: Settings, media_dir: Path,
                                                                  tmp_path: Path) -> None:
    media = tmp_path / "story.mp4"
    shutil.copy(media_dir / "report.mp4", media)  # a few seconds of speech
    (tmp_path / "story.srt").write_text("1\n00:00:00,000 --> 00:00:03,000\nThe river rose.\n\n"
                                        "2\n01:10:00,000 --> 01:10:03,000\nA cue an hour past the end.\n")
    svc = Clipindex(settings)
    with pytest.raises(IngestError, match="past the end of the media"):
        list(svc.ingest(str(media), IngestOptions()))
    assert svc.videos() == [], "nothing is left behind"


@pytest.mark.parametrize("body, message", [
    (bytes(range(128, 256)) * 4, "not UTF-8 text"),  # random bytes named .json: once a UnicodeDecodeError traceback
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),  # once a RecursionError traceback
    (b'{"format": "clipindex-transcript/1", "language": "en", "engine": "x", "model": "x", "segments": '
     b'[{"start": 1e308, "end": 1e309, "text": "x"}]}', "beyond 48 hours"),  # an infinite end was accepted
    (b'{"format": "clipindex-transcript/1", "language": "en", "engine": "x", "model": "x", "segments": '
     b'[{"start": -5, "end": 1, "text": "x"}]}', "negative"),
])
def test_a_broken_transcript_json_is_one_clear_error(settings: Settings, tmp_path: Path, body: bytes,
                                                     message: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(body)
    svc = Clipindex(settings)
    with pytest.raises(InvalidInput, match=message) as caught:
        list(svc.ingest(str(path), IngestOptions(language="en")))
    assert str(caught.value).startswith("broken.json: ")
    assert svc.videos() == [], "nothing is left behind"
