"""The `homefront` command run as a person runs it, in a process of its own, for tests
of what it does from the outside: setup, serve, worker, check. `run_homefront` waits for
its end; `Background` leaves it running, its output in a file."""

from __future__ import annotations

import os
import signal
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


class Background:
    """`homefront *args` with exactly `env`, running in the background until `stop` or
    `close`, its output in the file `log`."""

    def __init__(self, *args: str, env: dict[str, str], log: Path, wait: float = 10) -> None:
        self.log = log
        self.wait = wait  # seconds a killed process may take to end
        self.output = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter, the tests' own arguments)
            [sys.executable, "-m", "homefront.cli", *args],
            env=env,
            cwd=PROJECT,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )

    def text(self) -> str:
        return self.log.read_text()

    def started(self) -> bool:
        return "started." in self.text()

    def stop(self) -> int:
        """Asked to stop as a service manager asks (SIGTERM); its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=self.wait)
        self.output.close()
