"""The access matrix: every URL and every API operation, asked by every actor.

The URL patterns come from the live resolver and the API's operations from its
OpenAPI description, so a new one fails here until it is listed. What each
actor gets is written below by hand, from the rules in homefront/access.py's
docstring, not read from the policy: flipping any one answer of the policy
fails a row.

A cell is what the actor got for a GET, then for a POST (or the API's one
method), with `*` after a request that changed the household's data:
`200 302*` is "the page shows, and the form saves".

The actors:
- parent: a parent of the household;
- carer: a caregiver named in charge of a night of the household's trip (Kyoto);
- carer_off: a caregiver of the household who covers no night;
- outsider: a parent of another household;
- anonymous: nobody signed in.
Share links are asked in four states (live, not yet valid, expired, revoked) and
forged; API tokens as the parent's write and read tokens, the carer's, the
carer_off's, the outsider's, and none.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from homefront.accounts.models import User
from homefront.api.api import api
from homefront.api.models import AccessToken
from homefront.api.models import Scope
from homefront.core.tests.test_bad_input import household_rows as rows_of_household
from homefront.handoff.models import ShareLink
from homefront.households.models import Invitation
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.tests import test_isolation
from homefront.households.tests.test_isolation import ALL_ENDPOINTS  # the shared URL walk
from homefront.households.tests.test_isolation import API_NAMESPACE  # the shared URL walk
from homefront.households.tests.test_isolation import FORMLESS_PAYLOADS  # the shared URL walk
from homefront.households.tests.test_isolation import JSON_BODY  # the shared URL walk
from homefront.households.tests.test_isolation import OBJECTS  # the shared URL walk
from homefront.households.tests.test_isolation import VALUE_KWARGS  # the shared URL walk
from homefront.households.tests.test_isolation import Endpoint  # the shared URL walk
from homefront.households.tests.test_isolation import kwarg_owners  # the shared URL walk
from homefront.households.tests.test_isolation import logged_entry  # the shared URL walk
from homefront.households.tests.test_isolation import payload  # the shared URL walk
from homefront.households.tests.test_isolation import send  # the shared URL walk
from homefront.photos import testing as photo_testing
from homefront.testing.trips import api_trip
from homefront.testing.trips import trip_to

# The isolation test's household: a trip (Kyoto) with its first night covered by the
# caregiver, prep, packing, a journal entry, a share link, a feed and API tokens.
family = test_isolation.family

SESSION_ACTORS = ("parent", "carer", "carer_off", "outsider", "anonymous")

# fmt: off
# URL name -> what each of SESSION_ACTORS gets: "GET POST". 405: the view takes no such
# method; 302 for anonymous: off to sign in; 404: not theirs to know of; 403: theirs
# to see, not to change.
EXPECTED: dict[str, tuple[str, str, str, str, str]] = {
    # columns:                              parent       carer        carer_off    outsider     anonymous
    "accounts:account":                  ("200 302*",  "200 302*",  "200 302*",  "200 302",   "302 302"),
    "accounts:login":                    ("302 302",   "302 302",   "302 302",   "302 302",   "200 200"),
    "accounts:logout":                   ("405 302",   "405 302",   "405 302",   "405 302",   "405 302"),
    "accounts:password_change":          ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "accounts:password_change_done":     ("200 405",   "200 405",   "200 405",   "200 405",   "302 302"),
    "accounts:password_reset":           ("200 302",   "200 302",   "200 302",   "200 302",   "200 302"),
    "accounts:password_reset_complete":  ("200 405",   "200 405",   "200 405",   "200 405",   "200 405"),
    "accounts:password_reset_confirm":   ("302 302",   "302 302",   "302 302",   "302 302",   "302 302"),
    "accounts:password_reset_done":      ("200 405",   "200 405",   "200 405",   "200 405",   "200 405"),
    "accounts:signup":                   ("302 302",   "302 302",   "302 302",   "302 302",   "200 422"),
    "api:revoke_token":                  ("405 302*",  "405 404",   "405 404",   "405 404",   "302 302"),
    "api:tokens":                        ("200 200*",  "200 200*",  "200 200*",  "200 200",   "302 302"),
    "core:health":                       ("200 200",   "200 200",   "200 200",   "200 200",   "200 200"),
    "core:home":                         ("200 200",   "200 200",   "200 200",   "200 200",   "200 200"),
    "debrief:add_food_like":             ("405 302*",  "403 403",   "403 403",   "405 404",   "302 302"),
    "debrief:drop_goal":                 ("405 302*",  "403 403",   "403 403",   "405 404",   "302 302"),
    "debrief:insights":                  ("200 200",   "403 403",   "403 403",   "200 200",   "302 302"),
    "debrief:set_goal":                  ("405 302*",  "403 403",   "403 403",   "405 302",   "302 302"),
    "debrief:trip":                      ("200 302*",  "200 403",   "404 404",   "404 404",   "302 302"),
    "handoff:brief":                     ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "handoff:brief_pdf":                 ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "handoff:card_printed":              ("405 302*",  "403 403",   "403 403",   "405 302",   "302 302"),
    "handoff:confirm_health":            ("405 302*",  "403 403",   "403 403",   "405 404",   "302 302"),
    "handoff:emergency_card":            ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "handoff:emergency_card_pdf":        ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "handoff:fridge":                    ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "handoff:leave_now":                 ("405 422",   "403 403",   "403 403",   "405 422",   "302 302"),
    "handoff:readiness":                 ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "handoff:revoke_share_link":         ("405 302*",  "405 403",   "405 404",   "405 404",   "302 302"),
    "handoff:share_links":               ("200 302*",  "403 403",   "404 404",   "404 404",   "302 302"),
    "handoff:shared_brief":              ("200* 200*", "200* 200*", "200* 200*", "200* 200*", "200* 200*"),
    "handoff:shared_brief_pdf":          ("200* 200*", "200* 200*", "200* 200*", "200* 200*", "200* 200*"),
    "handoff:toggle_go_bag":             ("405 302*",  "403 403",   "403 403",   "405 404",   "302 302"),
    "households:accept":                 ("200 302*",  "200 302*",  "200 302*",  "200 302*",  "200 200"),
    "households:child":                  ("200 200",   "200 200",   "200 200",   "404 404",   "302 302"),
    "households:child_create":           ("200 302*",  "403 403",   "403 403",   "200 302",   "302 302"),
    "households:child_delete":           ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:child_edit":             ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:child_photo":            ("200 405",   "200 405",   "200 405",   "404 404",   "302 302"),
    "households:child_photo_remove":     ("405 302*",  "403 403",   "403 403",   "405 404",   "302 302"),
    "households:child_photo_upload":     ("405 302*",  "403 403",   "403 403",   "405 404",   "302 302"),
    "households:contact_create":         ("200 302*",  "403 403",   "403 403",   "200 302",   "302 302"),
    "households:contact_delete":         ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:contact_edit":           ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:contact_move_up":        ("405 302",   "403 403",   "403 403",   "405 404",   "302 302"),
    "households:create":                 ("200 302",   "200 302",   "200 302",   "200 302",   "302 302"),
    "households:food_create":            ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:food_delete":            ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:food_edit":              ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:glance":                 ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "households:invite":                 ("405 200*",  "403 403",   "403 403",   "405 200",   "302 302"),
    "households:leave":                  ("200 302",   "200 302*",  "200 302*",  "200 302",   "302 302"),
    "households:medicine_create":        ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:medicine_delete":        ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:medicine_edit":          ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:members":                ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "households:note_create":            ("200 302*",  "403 403",   "403 403",   "200 302",   "302 302"),
    "households:note_delete":            ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:note_edit":              ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:note_reveal":            ("200 200",   "200 200",   "403 403",   "404 404",   "302 302"),
    "households:profile":                ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "households:remove_member":          ("405 302*",  "403 403",   "403 403",   "405 404",   "302 302"),
    "households:revoke_invitation":      ("405 302*",  "403 403",   "403 403",   "405 404",   "302 302"),
    "households:routine_create":         ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:routine_delete":         ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:routine_edit":           ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "households:settings":               ("200 302*",  "403 403",   "403 403",   "200 302",   "302 302"),
    "households:switch":                 ("405 302",   "405 302",   "405 302",   "405 302",   "302 302"),
    "households:today":                  ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "journal:delete_entry":              ("405 302*",  "405 403",   "405 404",   "405 404",   "302 302"),
    "journal:deleted":                   ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "journal:edit_entry":                ("200 422",   "403 403",   "404 404",   "404 404",   "302 302"),
    "journal:log":                       ("200 302*",  "200 302*",  "404 404",   "404 404",   "302 302"),
    "journal:manifest":                  ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "journal:restore_entry":             ("405 302",   "405 403",   "405 404",   "405 404",   "302 302"),
    "journal:service_worker":            ("200 200",   "200 200",   "200 200",   "200 200",   "200 200"),
    "journal:shared_log":                ("200 302*",  "200 302*",  "200 302*",  "200 302*",  "200 302*"),
    "journal:shared_manifest":           ("200 200",   "200 200",   "200 200",   "200 200",   "200 200"),
    "journal:shared_sync":               ("405 200*",  "405 200*",  "405 200*",  "405 200*",  "405 200*"),
    "journal:sync":                      ("405 200*",  "405 200*",  "405 404",   "405 404",   "405 401"),
    "journal:timeline":                  ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "photos:add":                        ("405 302*",  "405 302*",  "405 404",   "405 404",   "302 302"),
    "photos:photo":                      ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "photos:shared_add":                 ("405 302*",  "405 302*",  "405 302*",  "405 302*",  "405 302*"),
    "photos:shared_photo":               ("200 200",   "200 200",   "200 200",   "200 200",   "200 200"),
    "notify:channels":                   ("200 302*",  "200 302*",  "200 302*",  "200 302",   "302 302"),
    "notify:delete_channel":             ("405 302*",  "405 404",   "405 404",   "405 404",   "302 302"),
    "notify:log":                        ("200 200",   "403 403",   "403 403",   "200 200",   "302 302"),
    "notify:send_test":                  ("405 302*",  "405 404",   "405 404",   "405 404",   "302 302"),
    "notify:push_subscribe":             ("405 201*",  "405 201*",  "405 201*",  "405 201",   "302 302"),
    "notify:push_resubscribe":           ("405 200*",  "405 404",   "405 404",   "405 404",   "302 302"),
    "notify:push_choices":               ("405 302*",  "405 302*",  "405 302*",  "405 302",   "302 302"),
    "notify:webhooks":                   ("200 200*",  "403 403",   "403 403",   "200 200",   "302 302"),
    "portability:export":                ("200 200",   "403 403",   "403 403",   "200 200",   "302 302"),
    "prep:make_optional":                ("405 302",   "403 403",   "403 403",   "405 404",   "302 302"),
    "prep:needed":                       ("405 302",   "405 403",   "405 404",   "405 404",   "302 302"),
    "prep:packing":                      ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "prep:packing_add":                  ("405 302*",  "405 403",   "405 404",   "405 404",   "302 302"),
    "prep:remove_packing_item":          ("405 302*",  "405 403",   "405 404",   "405 404",   "302 302"),
    "prep:task_create":                  ("200 302*",  "403 403",   "404 404",   "404 404",   "302 302"),
    "prep:task_delete":                  ("200 302*",  "403 403",   "404 404",   "404 404",   "302 302"),
    "prep:task_edit":                    ("200 302*",  "403 403",   "404 404",   "404 404",   "302 302"),
    "prep:template":                     ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "prep:template_item_create":         ("200 302*",  "403 403",   "403 403",   "200 302",   "302 302"),
    "prep:template_item_delete":         ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "prep:template_item_edit":           ("200 302*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "prep:tick":                         ("405 302*",  "405 302*",  "405 404",   "405 404",   "302 302"),
    "prep:today":                        ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "prep:toggle_packed":                ("405 302*",  "405 403",   "405 404",   "405 404",   "302 302"),
    "prep:trip":                         ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "trips:calendar":                    ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "trips:calendar_month":              ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "trips:cancel":                      ("405 302*",  "405 403",   "405 404",   "405 404",   "302 302"),
    "trips:cover":                       ("405 302*",  "405 403",   "405 404",   "405 404",   "302 302"),
    "trips:create":                      ("200 302*",  "403 403",   "403 403",   "200 422",   "302 302"),
    "trips:detail":                      ("200 200",   "200 200",   "404 404",   "404 404",   "302 302"),
    "trips:edit":                        ("200 302*",  "403 403",   "404 404",   "404 404",   "302 302"),
    "trips:feed":                        ("200 200",   "200 200",   "200 200",   "200 200",   "200 200"),
    "trips:feeds":                       ("200 200*",  "200 200*",  "200 200*",  "200 200",   "302 302"),
    "trips:history":                     ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "trips:import":                      ("200 302*",  "403 403",   "403 403",   "200 302",   "302 302"),
    "trips:import_confirm":              ("200 200*",  "403 403",   "403 403",   "404 404",   "302 302"),
    "trips:list":                        ("200 200",   "200 200",   "200 200",   "200 200",   "302 302"),
    "trips:zone_guess":                  ("200 405",   "403 403",   "403 403",   "200 405",   "302 302"),
    "trips:revoke_feed":                 ("405 302*",  "405 404",   "405 404",   "405 404",   "302 302"),
}
# Share-link URLs, asked by somebody without an account holding a link in each state.
# "not_yet": made days before its trip: it reads at once; logging waits for the day before.
LINK_STATES = ("live", "not_yet", "expired", "revoked", "forged")
EXPECTED_LINKS: dict[str, tuple[str, str, str, str, str]] = {
    # columns:                              live         not_yet      expired      revoked      forged
    "handoff:shared_brief":              ("200* 200*", "200* 200*", "404 404",   "404 404",   "404 404"),
    "handoff:shared_brief_pdf":          ("200* 200*", "200* 200*", "404 404",   "404 404",   "404 404"),
    "journal:shared_log":                ("200 302",   "200 302",   "404 404",   "404 404",   "404 404"),
    "journal:shared_manifest":           ("200 200",   "200 200",   "404 404",   "404 404",   "404 404"),
    "journal:shared_sync":               ("405 200",   "405 200",   "405 410",   "405 410",   "405 410"),
    "photos:shared_add":                 ("405 302",   "405 302",   "405 410",   "405 410",   "405 410"),
    "photos:shared_photo":               ("200 200",   "200 200",   "404 404",   "404 404",   "404 404"),
}
# API operations ("METHOD path") -> what each token gets.
API_ACTORS = ("parent_write", "parent_read", "carer", "carer_off", "outsider", "none")
EXPECTED_API: dict[str, tuple[str, str, str, str, str, str]] = {
    # columns:                              parent_write parent_read  carer        carer_off    outsider     none
    "GET /api/v1/children":              ("200",       "200",       "200",       "200",       "200",       "401"),
    "GET /api/v1/children/{pk}":         ("200",       "200",       "200",       "200",       "404",       "401"),
    "GET /api/v1/contacts":              ("200",       "200",       "200",       "200",       "200",       "401"),
    "GET /api/v1/contacts/{pk}":         ("200",       "200",       "200",       "200",       "404",       "401"),
    "GET /api/v1/foods":                 ("200",       "200",       "200",       "200",       "200",       "401"),
    "GET /api/v1/foods/{pk}":            ("200",       "200",       "200",       "200",       "404",       "401"),
    "GET /api/v1/journal-entries":       ("200",       "200",       "200",       "200",       "200",       "401"),
    "GET /api/v1/journal-entries/{pk}":  ("200",       "200",       "200",       "404",       "404",       "401"),
    "GET /api/v1/medicines":             ("200",       "200",       "200",       "200",       "200",       "401"),
    "GET /api/v1/medicines/{pk}":        ("200",       "200",       "200",       "200",       "404",       "401"),
    "GET /api/v1/now":                   ("200",       "200",       "200",       "200",       "200",       "401"),
    "GET /api/v1/prep-tasks":            ("200",       "200",       "200",       "200",       "200",       "401"),
    "GET /api/v1/prep-tasks/{pk}":       ("200",       "200",       "200",       "404",       "404",       "401"),
    "GET /api/v1/routines":              ("200",       "200",       "200",       "200",       "200",       "401"),
    "GET /api/v1/routines/{pk}":         ("200",       "200",       "200",       "200",       "404",       "401"),
    "GET /api/v1/trips":                 ("200",       "200",       "200",       "200",       "200",       "401"),
    "GET /api/v1/trips/{pk}":            ("200",       "200",       "200",       "404",       "404",       "401"),
    "GET /api/v1/trips/{pk}/share-links": ("200",       "200",       "403",       "404",       "404",       "401"),
    "PATCH /api/v1/prep-tasks/{pk}":     ("200*",      "403",       "200*",      "404",       "404",       "401"),
    "POST /api/v1/children":             ("201*",      "403",       "403",       "403",       "201",       "401"),
    "POST /api/v1/trips":                ("201*",      "403",       "403",       "403",       "201",       "401"),
    "POST /api/v1/trips/{pk}/journal/sync": ("200*",      "403",       "200*",      "404",       "404",       "401"),
    "GET /api/v1/trips/{pk}/photos":     ("200",       "200",       "200",       "404",       "404",       "401"),
    "POST /api/v1/trips/{pk}/photos":    ("201*",      "403",       "201*",      "404",       "404",       "401"),
    "GET /api/v1/photos/{pk}":           ("200",       "200",       "200",       "404",       "404",       "401"),
}
# fmt: on


# -- The actors -------------------------------------------------------------------------


def carer_off(family: Any) -> User:
    if not hasattr(family, "carer_off"):
        family.carer_off = User.objects.create_user(
            email="off@example.com", password="a long test password", name="Cora Off"
        )
        Membership.objects.create(
            household=family.household, user=family.carer_off, role=Role.CAREGIVER
        )
    return family.carer_off


def session_clients(family: Any) -> dict[str, Client]:
    return {
        "parent": family.client_for(family.parent),
        "carer": family.client_for(family.caregiver),
        "carer_off": family.client_for(carer_off(family)),
        "outsider": family.client_for(family.outsider),
        "anonymous": Client(),
    }


# -- The URLs ----------------------------------------------------------------------------

SESSION_ENDPOINTS = [e for e in ALL_ENDPOINTS if not e.name.startswith(API_NAMESPACE)]
SHARE_LINK_NAMES = (
    "handoff:shared_brief",
    "handoff:shared_brief_pdf",
    "journal:shared_log",
    "journal:shared_manifest",
    "journal:shared_sync",
    "photos:shared_add",
    "photos:shared_photo",
)


def live_secret(family: Any, endpoint: Endpoint, kwarg: str) -> str:
    """A working secret for a URL that carries one, made fresh for each request."""
    if endpoint.name == "households:accept":
        return Invitation.issue(family.household, Role.CAREGIVER, family.parent)[1]
    if endpoint.name == "trips:feed":
        return family.feed_token
    if endpoint.name == "accounts:password_reset_confirm":
        from django.contrib.auth.tokens import default_token_generator

        if kwarg == "uidb64":
            return urlsafe_base64_encode(force_bytes(family.parent.pk))
        return default_token_generator.make_token(family.parent)
    assert endpoint.name in SHARE_LINK_NAMES, f"{endpoint.name}: which secret goes in {kwarg}?"
    return family.share_token


def url_for(family: Any, endpoint: Endpoint) -> str:
    kwargs: dict[str, Any] = {}
    for kwarg in endpoint.kwargs:
        if kwarg in VALUE_KWARGS:
            kwargs[kwarg] = VALUE_KWARGS[kwarg](family)
        elif kwarg in ("token", "uidb64"):
            kwargs[kwarg] = live_secret(family, endpoint, kwarg)
        else:
            owner = kwarg_owners(endpoint, kwarg)[-1]  # a sensitive note where notes differ
            kwargs[kwarg] = OBJECTS[owner](family).pk
    return endpoint.url(**kwargs)


LINK_PAYLOADS = {
    "journal:shared_log": lambda family: {
        "uuid": "5b0e7c4e-5c2a-4c53-9d0e-3a3e2f0c9a11",
        "kind": "bath",
        "children": [str(family.child.pk)],
    },
    "journal:shared_sync": lambda family: {JSON_BODY: {"entries": [logged_entry(family)]}},
    "photos:shared_add": lambda family: {
        "photo": photo_testing.Rewinding(photo_testing.phone_jpeg(), "IMG_0002.jpg"),
        "uuid": "3d3c6f6e-1a2b-4c5d-8e9f-0a1b2c3d4e5f",
        "children": [str(family.child.pk)],
    },
}


def post_data(family: Any, endpoint: Endpoint, url: str) -> dict[str, Any]:
    if endpoint.name in LINK_PAYLOADS:
        return LINK_PAYLOADS[endpoint.name](family)
    if endpoint.name in FORMLESS_PAYLOADS:
        return FORMLESS_PAYLOADS[endpoint.name](family)
    return payload(family.client_for(family.parent), url, family)


def household_rows(family: Any) -> Any:
    """The household's rows, of every table (narrowed through foreign keys where a table
    has no household of its own), as the bad-input walk reads them."""
    rows = rows_of_household(family.household)
    # Reading leaves these traces by design: when a feed or token was last used.
    traces = (("trips.CalendarFeed", "last_fetched_at"), ("api.AccessToken", "last_used_at"))
    for label, column in traces:
        for row in rows.get(label, []):
            row.pop(column, None)
    return rows


def ask(client: Client, method: str, url: str, data: dict[str, Any], family: Any) -> str:
    """One request's status, with `*` when it changed the household's data. What it changed
    is rolled back, so every actor asks the same household."""
    cache.clear()  # rate limits are their own tests' business
    with transaction.atomic():
        before = household_rows(family)
        response = send(client, method, url, {}, data)
        wrote = household_rows(family) != before
        transaction.set_rollback(True)
    return f"{response.status_code}{'*' if wrote else ''}"


def during_the_trip(family: Any) -> Any:
    """The matrix is asked while the Kyoto trip is under way: when the caregiver logs, and
    when the one covering it may read the alarm code."""
    return time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False)


def observed_row(family: Any, endpoint: Endpoint) -> tuple[str, ...]:
    clients = session_clients(family)
    url = url_for(family, endpoint)
    data = post_data(family, endpoint, url)
    cells = []
    for who in SESSION_ACTORS:
        get = ask(clients[who], "get", url, data, family)
        post = ask(clients[who], "post", url, data, family)
        cells.append(f"{get} {post}")
    return tuple(cells)


def table(rows: dict[str, tuple[str, ...]]) -> str:
    return "\n".join(f"    {name!r}: {cells!r}," for name, cells in rows.items())


def test_every_url_and_operation_is_in_the_tables():
    names = {e.name for e in SESSION_ENDPOINTS}
    operations = set(api_operations())
    missing = sorted(names - set(EXPECTED)) + sorted(operations - set(EXPECTED_API))
    stale = sorted(set(EXPECTED) - names) + sorted(set(EXPECTED_API) - operations)
    assert not missing, f"Add to the access matrix what each actor may do here: {missing}"
    assert not stale, f"These are gone; remove them from the access matrix: {stale}"
    assert set(EXPECTED_LINKS) == set(SHARE_LINK_NAMES)


@pytest.mark.parametrize("endpoint", SESSION_ENDPOINTS, ids=lambda e: e.name)
def test_each_actor_gets_what_the_matrix_says(family, endpoint):
    with during_the_trip(family):
        got = observed_row(family, endpoint)
    expected = EXPECTED.get(endpoint.name)
    assert got == expected, (
        f"{endpoint.name}: expected {expected}, got {got}\n"
        f"(columns: {SESSION_ACTORS})\n{table({endpoint.name: got})}"
    )


# -- Share links in every state ------------------------------------------------------------


def link_in_state(family: Any, state: str) -> str:
    """A share link's secret: of the Kyoto trip in the state asked, or forged."""
    trip = family.trip
    if state == "live":
        return ShareLink.issue(trip, family.parent, label="Live", days_before=7)[1]
    if state == "not_yet":
        return ShareLink.issue(trip, family.parent, label="Soon", days_before=0)[1]
    if state == "revoked":
        link, token = ShareLink.issue(trip, family.parent, label="Gone", days_before=7)
        ShareLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
        return token
    if state == "expired":
        leaves, back = trip.starts_at - timedelta(days=60), trip.starts_at - timedelta(days=57)
        past = trip_to(family, "Osaka", "Asia/Tokyo", leaves, back)
        return ShareLink.issue(past, family.parent, label="Old", days_after=1)[1]
    assert state == "forged"
    return "x" * 32


@pytest.mark.parametrize("name", SHARE_LINK_NAMES)
def test_each_share_link_state_gets_what_the_matrix_says(family, name):
    endpoint = next(e for e in SESSION_ENDPOINTS if e.name == name)
    got = []
    for state in LINK_STATES:
        photo = {"pk": family.photo.pk} if "pk" in endpoint.kwargs else {}
        url = endpoint.url(token=link_in_state(family, state), **photo)
        data = post_data(family, endpoint, url)
        got.append(
            f"{ask(Client(), 'get', url, data, family)} {ask(Client(), 'post', url, data, family)}"
        )
    expected = EXPECTED_LINKS.get(name)
    assert tuple(got) == expected, f"{name}: (columns: {LINK_STATES})\n{table({name: tuple(got)})}"


# -- The API ---------------------------------------------------------------------------------


def api_operations() -> dict[str, dict[str, Any]]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}": operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


def api_tokens(family: Any) -> dict[str, str | None]:
    def token(user: User, household: Any, scope: Scope) -> str:
        return AccessToken.issue(user, household, "Matrix", scope)[1]

    return {
        "parent_write": family.api_secret,
        "parent_read": token(family.parent, family.household, Scope.READ),
        "carer": token(family.caregiver, family.household, Scope.WRITE),
        "carer_off": token(carer_off(family), family.household, Scope.WRITE),
        "outsider": family.outsider_api_secret,
        "none": None,
    }


API_OBJECTS = {
    "/trips/{pk}": "trip",
    "/children/{pk}": "child",
    "/routines/{pk}": "routine",
    "/foods/{pk}": "allergy",
    "/medicines/{pk}": "medicine",
    "/contacts/{pk}": "contact",
    "/prep-tasks/{pk}": "prep_task",
    "/journal-entries/{pk}": "journal_entry",
    "/photos/{pk}": "photo",
}


def api_request(family: Any, operation: str) -> tuple[str, str, Any]:
    method, path = operation.split(" ", 1)
    for template, key in API_OBJECTS.items():
        if template.split("{")[0] in path and "{pk}" in path:
            path = path.replace("{pk}", str(OBJECTS[key](family).pk))
            break
    body: Any = None
    if operation.endswith("/journal/sync"):
        body = {"entries": [logged_entry(family)]}
    elif operation == "POST /api/v1/trips/{pk}/photos":
        body = {
            "photo": photo_testing.Rewinding(photo_testing.phone_jpeg(), "IMG_0003.jpg"),
            "uuid": "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
            "children": [family.child.pk],
        }
    elif method == "PATCH":
        body = {"done": True}
    elif operation.endswith(" /api/v1/children"):
        body = {"name": "Probe", "birth_date": "2021-03-04"}
    elif operation.endswith(" /api/v1/trips"):
        body = api_trip(family, 40, 2, "Probe")
    return method, path, body


def ask_api(family: Any, operation: str, secret: str | None) -> str:
    method, path, body = api_request(family, operation)
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    cache.clear()
    with transaction.atomic():
        before = household_rows(family)
        if isinstance(body, dict) and "photo" in body:  # a file goes as a form
            response = Client().post(path, body, headers=headers)
        else:
            response = Client().generic(
                method,
                path,
                data=None if body is None else json.dumps(body),
                content_type="application/json",
                headers=headers,
            )
        wrote = household_rows(family) != before
        transaction.set_rollback(True)
    return f"{response.status_code}{'*' if wrote else ''}"


@pytest.mark.parametrize("operation", sorted(api_operations()))
def test_each_token_gets_what_the_matrix_says(family, operation):
    tokens = api_tokens(family)
    with during_the_trip(family):
        got = tuple(ask_api(family, operation, tokens[who]) for who in API_ACTORS)
    expected = EXPECTED_API.get(operation)
    assert got == expected, f"{operation}: (columns: {API_ACTORS})\n{table({operation: got})}"
