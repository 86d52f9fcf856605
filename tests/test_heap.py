"""The recogniser's heap settings (indexer.asr.heap): the commands that transcribe start again once with them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from indexer.asr.heap import TUNABLES, VARIABLE, on_glibc, tuned_environ
from tests.conftest import FIXTURES

ROOT = FIXTURES.parents[1]

# Runs the `clipindex` entry point as the console script does, and reports each start and, at exit, the variable.
PROBE = """
import atexit, os, sys
print("start", flush=True)
atexit.register(lambda: print("at exit", repr(os.environ.get({var!r})), flush=True))
sys.argv = ["clipindex", *{args!r}]
from api.cli import main
main()
"""


def _run(args: list[str], env_value: str | None = None, **more: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in (VARIABLE, "CLIPINDEX_BATCH_SIZE")}
    if env_value is not None:
        env[VARIABLE] = env_value
    env.update(more)
    done = subprocess.run([sys.executable, "-c", PROBE.format(var=VARIABLE, args=args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line.startswith(("start", "at exit"))]


@pytest.mark.slow
@pytest.mark.skipif(not on_glibc(), reason="the settings are glibc's")
def test_a_recognising_command_restarts_once_with_the_settings() -> None:
    assert _run(["ingest", "--help"]) == ["start", "start", f"at exit {TUNABLES!r}"]
    assert _run(["worker", "--help"]) == ["start", "start", f"at exit {TUNABLES!r}"]


@pytest.mark.slow
def test_other_commands_and_a_users_own_setting_are_left_alone() -> None:
    assert _run(["videos", "--help"]) == ["start", "at exit None"]
    assert _run(["ingest", "--help"], env_value="") == ["start", "at exit ''"]
    assert _run(["serve", "--help"], env_value="glibc.malloc.arena_max=4") == [
        "start", "at exit 'glibc.malloc.arena_max=4'"]
    # the sequential path is slower with the settings
    assert _run(["worker", "--help"], CLIPINDEX_BATCH_SIZE="1") == ["start", "at exit None"]


def test_the_environment_for_a_child_keeps_a_users_own_setting() -> None:
    assert tuned_environ({VARIABLE: "glibc.malloc.arena_max=4"})[VARIABLE] == "glibc.malloc.arena_max=4"
    assert VARIABLE not in tuned_environ({"CLIPINDEX_BATCH_SIZE": " 1 "})
    env = tuned_environ({"PATH": "/bin"})
    assert env["PATH"] == "/bin"
    assert env.get(VARIABLE) == (TUNABLES if on_glibc() else None)
