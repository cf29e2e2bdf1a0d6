"""A database that cannot take a write is an outage, not a bug in the page.

Read-only (a full backup volume remounted, a PostgreSQL replica, a chmod), out of disk
space, locked for longer than the busy timeout, or out of reach: the person gets a calm
503 page (or, for the journal's offline queue and the API, a JSON error the phone shows
and retries on) saying that what they sent was not saved, and the log gets the details.
Each write runs in one transaction, so nothing is left half-saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from django.db import DatabaseError
from django.db import OperationalError
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("homefront.database")

RETRY_AFTER_SECONDS = 60


class Fault(StrEnum):
    READ_ONLY = "its database is read-only"
    FULL = "its disk is full"
    BUSY = "its database is too busy"
    UNREACHABLE = "it cannot reach its database"


def database_fault(error: BaseException) -> Fault | None:
    """What kind of outage a database error is; None for anything else (a bug stays a 500)."""
    if not isinstance(error, DatabaseError):
        return None
    cause = error.__cause__
    sqlite_name = getattr(cause, "sqlite_errorname", None)
    if isinstance(sqlite_name, str):
        return _sqlite_fault(sqlite_name)
    sqlstate = getattr(cause, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _postgresql_fault(sqlstate)
    if sqlstate is None and isinstance(error, OperationalError) and cause is not None:
        return Fault.UNREACHABLE  # the connection went away before the server said why
    return None


def _sqlite_fault(name: str) -> Fault | None:
    if name.startswith("SQLITE_READONLY"):
        return Fault.READ_ONLY
    if name == "SQLITE_FULL":
        return Fault.FULL
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return Fault.BUSY
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
        return Fault.UNREACHABLE
    return None


def _postgresql_fault(sqlstate: str) -> Fault | None:
    if sqlstate == "25006":  # read_only_sql_transaction: a read-only server or database
        return Fault.READ_ONLY
    if sqlstate == "53100":  # disk_full
        return Fault.FULL
    if sqlstate.startswith("53"):  # out of memory, connections
        return Fault.BUSY
    if sqlstate.startswith(("08", "57P")):  # lost, shutting down
        return Fault.UNREACHABLE
    return None


def _wants_json(request: HttpRequest) -> bool:
    return (
        request.content_type == "application/json"
        or request.path.startswith("/api/")
        or request.headers.get("Accept", "").startswith("application/json")
    )


def fault_response(request: HttpRequest, fault: Fault) -> HttpResponse:
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse(
            {
                "error": f"Homefront cannot save right now: {fault}. "
                "Nothing more was saved; what is not saved yet stays on this phone "
                "and is sent again shortly."
            },
            status=503,
        )
    else:
        try:
            response = render(request, "503.html", {"fault": fault}, status=503)
        except Exception:  # the page itself needs the database; say it plainly then
            logger.exception("Could not render the 503 page.")
            response = HttpResponse(
                "Homefront cannot save right now. What you sent was not saved; "
                "please try again in a few minutes.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseFaultMiddleware:
    """Turns a database outage raised by a view into a 503 the person understands."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        fault = database_fault(exception)
        if fault is None:
            return None
        logger.error(
            "Could not serve %s %s: %s.", request.method, request.path, fault, exc_info=exception
        )
        return fault_response(request, fault)
