from __future__ import annotations

import logging
import signal
import socket
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

from homefront.core.checks import at_start_up
from homefront.notify.delivery import deliver_due
from homefront.notify.plan import plan_due
from homefront.photos.cleanup import purge_now_and_then

logger = logging.getLogger("homefront.worker")


# Households planned in one round at most: a burst of due households (a midnight in a
# busy zone) is planned in batches, with what is due sent in between.
PLAN_PER_ROUND = 200


def one_round(worker_id: str, stopping: threading.Event | None = None) -> bool:
    """Plans the households that are due, sends the messages that are due, and runs the
    queued tasks; True when more households may be due. With nothing due it costs a few
    queries, whatever the number of households (`make bench` times it at hosted scale)."""
    planned = plan_due(worker_id, stopping=stopping, limit=PLAN_PER_ROUND)
    deliver_due(worker_id, stopping=stopping)
    purge_now_and_then()  # photos of entries deleted past their restore window
    TaskWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
    return len(planned) >= PLAN_PER_ROUND


class Command(BaseCommand):
    help = (
        "Runs background work until SIGTERM: plans the households whose time has come, "
        "sends due messages once each, and runs queued tasks (password-reset emails)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between rounds.")
        parser.add_argument("--once", action="store_true", help="One round, then exit.")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        at_start_up(self)
        worker_id = f"{socket.gethostname()}-{get_random_string(8)}"
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            logger.info(
                "Received %s: finishing the current message, then stopping.",
                signal.strsignal(signum),
            )
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info("Worker %s started.", worker_id)
        while not stopping.is_set():
            close_old_connections()
            more = False
            try:
                more = one_round(worker_id, stopping)
            except Exception:  # a bad round must not stop reminders for good
                logger.exception("Worker round failed; trying again next round.")
            if once:
                break
            if not more:
                stopping.wait(interval)
        logger.info("Worker %s stopped.", worker_id)
