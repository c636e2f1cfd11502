"""The command line as a test calls it: exit code, stdout and stderr."""

from __future__ import annotations

import pytest

from invoicer.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
