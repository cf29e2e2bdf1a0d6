"""The `homefront` command run as a person runs it, in a process of its own, for tests
of what it does from the outside: setup, serve, worker, check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def clean_environment(**env: str) -> dict[str, str]:
    """This machine's environment without Homefront's settings (nor the tests' database),
    plus `env`: the command reads only what the test gives it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HOMEFRONT_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)
    return {**clean, **env}


def run_homefront(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`homefront *args` with `env` over a clean environment, run to its end."""
    return subprocess.run(  # noqa: S603 (this interpreter, the tests' own arguments)
        [sys.executable, "-m", "homefront.cli", *args],
        env=clean_environment(**env),
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
