"""Bearer-token authentication for the API: who is asking, for which household."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http import HttpResponse
from ninja.errors import HttpError
from ninja.security import HttpBearer

from homefront.api.models import AccessToken
from homefront.core import conditional
from homefront.core import ratelimit
from homefront.households.models import Household
from homefront.households.models import Membership

MAX_BODY_BYTES = 1_000_000


class ApiRequest(HttpRequest):
    """A request that passed TokenAuth."""

    auth: AccessToken
    membership: Membership
    household: Household


class TokenAuth(HttpBearer):
    """A live personal access token of a member; `write` also needs a write token.

    An unknown, expired or revoked token, or one of someone who left the household,
    is a 401; a read token on a write endpoint is a 403.
    """

    def __init__(self, *, write: bool = False) -> None:
        super().__init__()
        self.write = write

    def __call__(self, request: HttpRequest) -> Any:
        # Before anything reads the body: a body over 1 MB is refused unread.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise HttpError(413, "The request body is over 1 MB; send less at once.")
        # Wrong tokens are counted per address, like dead share links: once this
        # minute's budget is spent, every token from there waits, a right one too.
        if ratelimit.API_TOKENS.spent(request):
            raise HttpError(429, "Too many wrong API tokens from this address; wait a minute.")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> AccessToken | None:
        access = AccessToken.find(token)
        membership = access.membership() if access is not None else None
        if access is None or membership is None:
            # Guessers at once all pass `spent` at 29; the count decides who was over.
            if not ratelimit.API_TOKENS.spend(request):
                raise HttpError(429, "Too many wrong API tokens from this address; wait a minute.")
            return None
        if self.write and not access.can_write:
            raise HttpError(403, "This token may only read; make a read-and-write token to write.")
        access.mark_used()
        request.membership = membership  # type: ignore[attr-defined]
        request.household = membership.household  # type: ignore[attr-defined]
        if request.method == "GET":
            _answer_early(request, access)
        return access


class Answered(Exception):
    """The answer is known before the operation runs (api.py returns it): unchanged since
    the caller's tag (304, nothing read), or kept under its tag (core/conditional.py)."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("answered from the household's data version")
        self.response = response


def _answer_early(request: HttpRequest, access: AccessToken) -> None:
    # The household was read a moment ago with the token: its version is current.
    household = request.household  # type: ignore[attr-defined]
    tag = conditional.api_tag(request, access.pk, {household.pk: household.data_version})
    request._api_tag = tag  # type: ignore[attr-defined]  # api.py tags and keeps the answer
    etag = f'W/"{tag}"'
    if conditional.matches(request, etag):
        raise Answered(conditional.not_modified(etag, conditional.REVALIDATE))
    if (kept := conditional.kept(tag)) is not None:
        raise Answered(kept)


read = TokenAuth()
write = TokenAuth(write=True)
