"""Two people changing the same thing at the same moment, each through a server process
of their own: two `homefront serve` (see servers.py) on one SQLite file in WAL mode, or
on PostgreSQL when the tests run there.

- A parent deletes a journal entry while the caregiver corrects it.
- Two parents move different backups up the same phone tree.

Round after round, both requests leave together. Whichever lands first wins whole; the
other changes nothing and its sender is told, in words, that someone else changed it
first. Nothing is lost silently: never both, never half, never two backups in one place.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from homefront.core.tests.servers import Reply
from homefront.core.tests.servers import Server
from homefront.core.tests.servers import Site
from homefront.core.tests.servers import Visitor
from homefront.core.tests.servers import away_household
from homefront.core.tests.servers import new_site

ROUNDS = 12
BACKUPS = ("Grandma Judy", "Uncle Sam", "Aunt Jo", "Cousin Lu")

DELETE_LOST = "Someone else changed this entry after you opened it, so it was not deleted."
EDIT_LOST = "Someone else deleted this entry while you were editing it; nothing of yours was saved."
MOVE_LOST = (
    "Someone else changed the phone tree while you were looking at it, so nothing was moved."
)


@pytest.fixture
def site(transactional_db, tmp_path, tmp_path_factory) -> Site:
    return new_site(tmp_path / "site", tmp_path_factory.getbasetemp())


def racing_household() -> dict[str, Any]:
    """The away household of servers.py, with ROUNDS notes the caregiver logged and four
    backups in the phone tree; two sessions of the parent (two phones)."""
    import uuid

    from django.test import Client
    from django.utils import timezone

    from homefront.accounts.models import User
    from homefront.households.models import Contact
    from homefront.households.models import ContactRole
    from homefront.journal.models import EntryChange
    from homefront.journal.models import JournalEntry
    from homefront.journal.models import Kind
    from homefront.trips.models import Trip

    seeded = away_household(tasks=0)
    trip = Trip.objects.select_related("household").get(pk=seeded["trip"])
    carer = User.objects.get(pk=seeded["carer"])
    entries = []
    for number in range(ROUNDS):
        entry = JournalEntry.objects.create(
            uuid=uuid.uuid4(),
            trip=trip,
            kind=Kind.NOTE,
            occurred_at=timezone.now() - timedelta(hours=1, minutes=number),
            text=f"Note {number}",
            author=carer,
            content_hash=f"race-{number}",
        )
        entry.children.set([seeded["maya"]])
        EntryChange.objects.create(
            entry=entry, action=EntryChange.Action.CREATED, by_name=str(carer), after={}
        )
        at = timezone.localtime(entry.occurred_at, trip.household.zone)
        entries.append({"pk": entry.pk, "at": at.strftime("%Y-%m-%dT%H:%M")})
    for name in BACKUPS:
        Contact(
            household=trip.household, name=name, phone="+1 505 555 0134", roles=[ContactRole.BACKUP]
        ).save()

    client = Client()
    client.force_login(User.objects.get(pk=seeded["parent"]))
    return {
        **seeded,
        "household": trip.household_id,
        "entries": entries,
        "other_phone": client.cookies["sessionid"].value,
    }


def at_once(*requests: Callable[[], Reply]) -> list[Reply]:
    """Sends the requests from threads released together; their replies, in order."""
    start = threading.Barrier(len(requests), timeout=60)
    replies: list[Reply | BaseException] = [RuntimeError("no reply")] * len(requests)

    def send(index: int) -> None:
        start.wait()
        try:
            replies[index] = requests[index]()
        except BaseException as error:  # reported below, in the test's thread
            replies[index] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for reply in replies:
        if isinstance(reply, BaseException):
            raise reply
    return replies  # type: ignore[return-value]


def text_of(reply: Reply) -> str:
    return html.unescape(reply.text)


def test_a_delete_racing_an_edit_one_wins_whole_and_the_other_is_told(site):
    seeded = site.fill(racing_household)
    with (
        Server(site, name="a", workers=1, background_worker=False) as a,
        Server(site, name="b", workers=1, background_worker=False) as b,
    ):
        a.started(), b.started()
        parent = Visitor(a, seeded["sessions"]["parent"])
        carer = Visitor(b, seeded["sessions"]["carer"])
        outcomes = []
        for number, entry in enumerate(seeded["entries"]):
            pk = entry["pk"]
            corrected = {
                "occurred_at": entry["at"],
                "children": [seeded["maya"], seeded["noa"]],
                "text": f"Note {number}, corrected",
                "version": 1,
            }
            deleted, edited = at_once(
                lambda pk=pk: parent.post_form(f"/journal/entries/{pk}/delete/", {"version": 1}),
                lambda pk=pk, data=corrected: carer.post_form(f"/journal/entries/{pk}/edit/", data),
            )
            statuses = (deleted.status, edited.status)
            assert statuses in {(302, 409), (409, 302)}, (number, statuses, deleted.text[:300])
            if deleted.status == 302:
                assert EDIT_LOST in text_of(edited), edited.text[:2000]
                outcomes.append("deleted")
            else:
                assert DELETE_LOST in text_of(deleted), deleted.text[:2000]
                assert f"Note {number}, corrected" in text_of(deleted)  # what won, shown
                outcomes.append("edited")
        logs = a.text() + b.text()

    assert "Traceback" not in logs, logs
    rows = site.query(
        "SELECT id, version, deleted_at IS NOT NULL, text FROM journal_journalentry ORDER BY id"
    )
    changes = site.query("SELECT entry_id, action FROM journal_entrychange ORDER BY id")
    children = site.query(
        "SELECT journalentry_id, child_id FROM journal_journalentry_children ORDER BY id"
    )
    for (pk, version, is_deleted, text), outcome, number in zip(
        rows, outcomes, range(ROUNDS), strict=True
    ):
        # Exactly one change landed, whole: its row, its history, its children.
        assert version == 2, (pk, version)
        actions = [action for entry, action in changes if entry == pk]
        linked = sorted(child for entry, child in children if entry == pk)
        if outcome == "deleted":
            assert (bool(is_deleted), text) == (True, f"Note {number}")
            assert actions == ["created", "deleted"]
            assert linked == [seeded["maya"]]
        else:
            assert (bool(is_deleted), text) == (False, f"Note {number}, corrected")
            assert actions == ["created", "edited"]
            assert linked == sorted([seeded["maya"], seeded["noa"]])


def phone_tree(site: Site, household: int) -> list[tuple[int, int]]:
    return [
        (pk, place)
        for pk, place in site.query(
            "SELECT id, backup_order FROM households_contact "  # noqa: S608
            f"WHERE household_id = {int(household)} AND backup_order IS NOT NULL "
            "ORDER BY backup_order"
        )
    ]


def moved_up(tree: list[int], contact: int) -> list[int]:
    index = tree.index(contact)
    moved = list(tree)
    moved[index - 1], moved[index] = moved[index], moved[index - 1]
    return moved


def test_two_phone_tree_moves_at_once_one_lands_and_the_other_is_told(site):
    seeded = site.fill(racing_household)
    household = seeded["household"]
    with (
        Server(site, name="a", workers=1, background_worker=False) as a,
        Server(site, name="b", workers=1, background_worker=False) as b,
    ):
        a.started(), b.started()
        phone = Visitor(a, seeded["sessions"]["parent"])
        other_phone = Visitor(b, seeded["other_phone"])
        htmx = {"HX-Request": "true"}
        landed = []
        for number in range(ROUNDS):
            tree = [pk for pk, _ in phone_tree(site, household)]
            # Both phones show this tree; each taps ↑ on a different backup below the first.
            first, second = tree[1 + number % 3], tree[1 + (number + 1) % 3]
            seen = {"tree": tree}
            replies = at_once(
                lambda pk=first, seen=seen: phone.post_form(f"/contacts/{pk}/move-up/", seen, htmx),
                lambda pk=second, seen=seen: other_phone.post_form(
                    f"/contacts/{pk}/move-up/", seen, htmx
                ),
            )
            assert [r.status for r in replies] == [200, 200], [r.text[:300] for r in replies]
            told = [MOVE_LOST in text_of(reply) for reply in replies]
            assert sorted(told) == [False, True], (number, told)
            winner = first if told == [False, True] else second
            after = phone_tree(site, household)
            # One move landed, whole; every backup keeps a place of its own, 1, 2, 3, 4.
            assert [pk for pk, _ in after] == moved_up(tree, winner), number
            assert [place for _, place in after] == [1, 2, 3, 4]
            landed.append(winner)
        logs = a.text() + b.text()

    assert "Traceback" not in logs, logs
    assert len(landed) == ROUNDS
