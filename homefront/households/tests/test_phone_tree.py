"""The phone tree: the backups of a household in the order they are called. No two ever
share a place (a database constraint, on SQLite and PostgreSQL alike), moves and
renumbering go through an empty place instead of colliding, a move made on an older
view of the tree moves nothing, and a contact saved from a copy loaded before a move
does not undo it. Two servers moving at once: core/tests/test_racing_writes.py."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.db.migrations.executor import MigrationExecutor

from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import PhoneTreeChanged


def backup(family, name: str) -> Contact:
    contact = Contact(household=family.household, name=name, phone="55501", roles=["backup"])
    contact.save()
    return contact


def tree(family) -> list[tuple[str, int]]:
    return [
        (c.name, c.backup_order) for c in Contact.objects.in_household(family.household).backups()
    ]


def test_the_database_refuses_two_contacts_in_one_place(family):
    uncle = backup(family, "Uncle Sam")

    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=uncle.pk).update(backup_order=1)  # Grandma's place

    assert tree(family) == [("Grandma", 1), ("Uncle Sam", 2)]
    # Places are per household: another one's tree starts at 1 too.
    theirs = Contact(household=family.other_household, name="Nan", phone="5", roles=["backup"])
    theirs.save()
    assert theirs.backup_order == 1


def test_a_move_swaps_through_an_empty_place(family):
    uncle, aunt = backup(family, "Uncle Sam"), backup(family, "Aunt Jo")

    aunt.move_up(Contact.phone_tree(family.household.pk))

    assert tree(family) == [("Grandma", 1), ("Aunt Jo", 2), ("Uncle Sam", 3)]
    assert aunt.backup_order == 2
    uncle.move_up(Contact.phone_tree(family.household.pk))
    assert tree(family) == [("Grandma", 1), ("Uncle Sam", 2), ("Aunt Jo", 3)]


def test_a_move_on_an_older_view_of_the_tree_moves_nothing(family):
    uncle, aunt = backup(family, "Uncle Sam"), backup(family, "Aunt Jo")
    seen = Contact.phone_tree(family.household.pk)
    uncle.move_up(seen)

    with pytest.raises(PhoneTreeChanged):
        aunt.move_up(seen)

    assert tree(family) == [("Uncle Sam", 1), ("Grandma", 2), ("Aunt Jo", 3)]


@pytest.mark.parametrize("seen", [[], "reversed", "with another household's contact"], ids=str)
def test_a_move_with_a_tree_that_is_not_this_one_moves_nothing(family, seen):
    aunt = backup(family, "Aunt Jo")
    current = Contact.phone_tree(family.household.pk)
    if seen == "reversed":
        seen = current[::-1]
    elif seen == "with another household's contact":
        theirs = Contact(household=family.other_household, name="Nan", phone="5", roles=["backup"])
        theirs.save()
        seen = [theirs.pk, aunt.pk]

    with pytest.raises(PhoneTreeChanged):
        aunt.move_up(seen)

    assert tree(family) == [("Grandma", 1), ("Aunt Jo", 2)]


def test_saving_a_copy_loaded_before_a_move_keeps_the_move(family):
    """The edit form loads the contact, someone moves it, then the form saves: the save
    must neither undo the move nor put two contacts in one place."""
    uncle = backup(family, "Uncle Sam")
    loaded = Contact.objects.get(pk=uncle.pk)  # at place 2
    uncle.move_up(Contact.phone_tree(family.household.pk))

    loaded.phone = "55502"
    loaded.save()

    assert tree(family) == [("Uncle Sam", 1), ("Grandma", 2)]
    assert Contact.objects.get(pk=uncle.pk).phone == "55502"


def test_leaving_or_deleting_closes_the_gap_without_collisions(family):
    backup(family, "Uncle Sam")
    aunt = backup(family, "Aunt Jo")
    backup(family, "Cousin Lu")

    family.contact.roles = [ContactRole.DOCTOR]
    family.contact.save()
    assert tree(family) == [("Uncle Sam", 1), ("Aunt Jo", 2), ("Cousin Lu", 3)]
    aunt.delete()
    assert tree(family) == [("Uncle Sam", 1), ("Cousin Lu", 2)]
    assert family.contact.backup_order is None


MIGRATED = [("households", "0005_contact_one_place_in_phone_tree")]
BEFORE = [("households", "0003_child_health_reviewed_at_and_more")]


@pytest.fixture
def migrator():
    """The database's schema moved back for a test, and forward to the latest after.
    Meanwhile the tests' moving of data versions (conftest.py) is off: the old schema
    has no version column."""
    watchers = list(connection.execute_wrappers)
    connection.execute_wrappers[:] = []
    try:
        yield MigrationExecutor(connection)
        latest = MigrationExecutor(connection)
        latest.migrate(latest.loader.graph.leaf_nodes())
    finally:
        connection.execute_wrappers[:] = watchers


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_shared_places_again_before_forbidding_them(migrator):
    executor = migrator
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Household = old.get_model("households", "Household")
    OldContact = old.get_model("households", "Contact")
    home = Household.objects.create(name="Twice", time_zone="UTC")
    elsewhere = Household.objects.create(name="Fine", time_zone="UTC")
    rows = [
        (home, "Ann", 1),
        (home, "Ben", 1),  # two moves at once left Ann and Ben in one place
        (home, "Cy", 3),
        (home, "Doc", None),
        (elsewhere, "Eve", 2),  # a gap, but nobody shares: left as it is
    ]
    for household, name, place in rows:
        OldContact.objects.create(household=household, name=name, backup_order=place)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(MIGRATED)

    places = dict(Contact.objects.values_list("name", "backup_order"))
    assert places == {"Ann": 1, "Ben": 2, "Cy": 3, "Doc": None, "Eve": 2}
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(name="Ben").update(backup_order=1)
