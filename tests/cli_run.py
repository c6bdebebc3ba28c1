"""Run the ``territory`` command in-process, as a shell would: exit code, stdout, stderr."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

from territory.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()
