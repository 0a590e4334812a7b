"""Every command is registered once, and `launchtui --help` lists each."""

from __future__ import annotations

from launchtui.cli.main import COMMANDS, build_parser


def test_every_command_is_registered_once_and_parses_its_help(capsys):
    assert len(COMMANDS) == len(set(COMMANDS))
    parser = build_parser()  # a command registered twice makes argparse refuse here
    text = parser.format_help()
    for name in COMMANDS:
        assert name in text
