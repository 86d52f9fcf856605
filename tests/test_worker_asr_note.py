"""`clipindex worker --queues asr --workers 3` runs one recognition at a time (one model per process, loaded in it:
CTranslate2 is not fork-safe); it said nothing, and a user expecting three got one. It says so as it starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.cli_ops import asr_note

ROOT = Path(__file__).resolve().parents[1]


def _first_lines(tmp_path: Path, *args: str) -> str:
    """What a broker worker prints as it starts (its broker is nowhere: it only starts), then it is stopped."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLIPINDEX_DATA_DIR": str(tmp_path / "data"),
           "CLIPINDEX_MODEL": "tiny.en", "CLIPINDEX_BROKER_URL": "redis://127.0.0.1:1/0"}
    log = tmp_path / "stderr.txt"
    with log.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "worker", *args], env=env,
                                stdout=subprocess.DEVNULL, stderr=sink)
        try:
            deadline = time.monotonic() + 60
            while "asr: 1 recognition" not in log.read_text() and proc.poll() is None:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return log.read_text()


@pytest.mark.slow  # worker processes
def test_an_asr_worker_asked_for_three_workers_says_it_runs_one_recognition(tmp_path: Path) -> None:
    said = _first_lines(tmp_path, "--queues", "asr", "--workers", "3")
    assert ("warning: --workers 3 does not run 3 recognitions (it sets only the cpu queue's threads, and this process "
            "does not consume cpu). asr: 1 recognition at a time per process; start more processes for more") in said


def test_what_an_asr_worker_says_of_its_recognitions() -> None:
    assert asr_note(1, cpu=False).startswith("asr: 1 recognition at a time per process; start more processes")
    assert asr_note(4, cpu=True).startswith("warning: --workers 4 does not run 4 recognitions (it gives the cpu "
                                            "queue 4 threads). asr: 1 recognition at a time per process")


def test_the_help_says_it_too() -> None:
    from typer.testing import CliRunner

    from api.cli import app

    out = CliRunner().invoke(app, ["worker", "--help"], env={"COLUMNS": "200"}).stdout
    assert "asr runs 1 recognition at a time per process: start more processes for more" in " ".join(out.split())


@pytest.mark.parametrize("queues", ["asrr", "cpu,,jobz", ","])
def test_an_unknown_queue_is_refused_before_the_worker_says_it_consumes_it(tmp_path: Path, queues: str) -> None:
    """`--queues asrr` printed "consuming asrr from the broker; Ctrl-C stops", then its error."""
    from typer.testing import CliRunner

    from api.cli import app

    env = {"CLIPINDEX_DATA_DIR": str(tmp_path / "data"), "CLIPINDEX_BROKER_URL": "redis://127.0.0.1:1/0"}
    result = CliRunner().invoke(app, ["worker", "--queues", queues], env=env)
    assert result.exit_code == 2, result.output
    assert "consuming" not in result.output and "unknown queue" in result.output, result.output
