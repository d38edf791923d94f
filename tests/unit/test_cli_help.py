"""Every command and every option of the command line says what it is for in ``--help``."""

from __future__ import annotations

import argparse

import pytest

from aishellc.cli import build_parser


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (subparsers,) = (
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    return dict(subparsers.choices)


@pytest.mark.parametrize(("name", "command"), sorted(_commands().items()))
def test_every_argument_has_help(name: str, command: argparse.ArgumentParser) -> None:
    assert command.description, name
    missing = [
        action.option_strings[0] if action.option_strings else action.dest
        for action in command._actions
        if not action.help
    ]
    assert missing == [], f"aishellc {name}: no help text for {missing}"
