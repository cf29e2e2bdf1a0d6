from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

from homefront.core.checks import at_start_up
from homefront.env import env_int
from homefront.env import env_str


class HomefrontServer(BaseApplication):
    """Gunicorn, configured from here rather than from a config file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from homefront.wsgi import application

        return application


class Command(BaseCommand):
    help = (
        "Serves Homefront with a production web server, and runs the background worker beside it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=env_str("HOMEFRONT_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=env_int("HOMEFRONT_WEB_WORKERS", 2, minimum=1)
        )
        parser.add_argument(
            "--threads", type=int, default=env_int("HOMEFRONT_WEB_THREADS", 1, minimum=1)
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker (run `homefront worker` elsewhere).",
        )

    def handle(
        self, *args: Any, bind: str, workers: int, threads: int, no_worker: bool, **options: Any
    ) -> None:
        at_start_up(self)
        host, _, port = bind.rpartition(":")
        self.stdout.write(
            f"Homefront is at http://{host or '127.0.0.1'}:{port}/  (Ctrl-C stops it)"
        )
        worker = None
        if not no_worker:
            worker = subprocess.Popen(
                [sys.executable, "-m", "homefront.cli", "worker"], env=os.environ.copy()
            )
        try:
            HomefrontServer(
                {
                    "bind": bind,
                    "workers": workers,
                    # Measured by `make bench --servers`: with one thread per
                    # process a page is served twice as fast as with four,
                    # which only wait for each other's turn at the GIL.
                    "worker_class": "sync" if threads == 1 else "gthread",
                    "threads": threads,
                    "accesslog": "-",
                    "errorlog": "-",
                    "timeout": 60,
                    "graceful_timeout": 20,
                    "forwarded_allow_ips": env_str("HOMEFRONT_FORWARDED_ALLOW_IPS", "127.0.0.1"),
                }
            ).run()
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
