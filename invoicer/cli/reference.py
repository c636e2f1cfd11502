"""What scripts and shells are given about the command line itself: ``invoicer schema draft`` (the JSON
Schema of ``invoice create --from-json``) and ``invoicer completion bash|zsh``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator

from invoicer.cli.base import Commands, Context


def cmd_schema(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services.drafts import DRAFT_SCHEMA

    print(json.dumps(DRAFT_SCHEMA, ensure_ascii=False, indent=2))
    return 0


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from _parsers(child)


def cmd_completion(ctx: Context, a: argparse.Namespace) -> int:
    import shtab

    from invoicer.cli import build_parser

    parser = build_parser()
    for each in _parsers(parser):  # file and folder arguments complete as paths
        # shtab reads a ``complete`` attribute it asks us to set on argparse's actions, which do not declare it
        for action in each._actions:
            if action.metavar == "DIR" or action.dest == "data_dir":
                action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
            elif action.dest == "file" or str(action.metavar).startswith("FILE"):
                action.complete = shtab.FILE  # type: ignore[attr-defined]
    print(shtab.complete(parser, shell=a.shell), end="")
    return 0


def register(commands: Commands) -> None:
    c = commands.command("schema", cmd_schema, "print a JSON Schema of an input format")
    c.add_argument("format", choices=["draft"], help="draft: the file of 'invoice create --from-json'")
    c = commands.command("completion", cmd_completion, "print the shell completion script")
    c.add_argument("shell", choices=["bash", "zsh"])
