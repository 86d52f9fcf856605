"""Every CLI command has help with an example, and README.md tours every top-level command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from api.cli import app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (typer may bring its own click)
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.mark.slow
def test_every_command_has_help_with_an_example() -> None:
    group = typer.main.get_command(app)
    paths = list(_commands(group))
    assert len(paths) >= 10
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example: clipindex " + " ".join(path) in result.stdout, path


def test_readme_mentions_every_top_level_command() -> None:
    group = typer.main.get_command(app)
    for name in group.commands:
        assert f"clipindex {name}" in README, name


def test_readme_gives_the_two_commands_ci_runs() -> None:
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text()
    assert "bash .ci/test" in ci and "bash .ci/test" in README and "bash .ci/demo" in README
