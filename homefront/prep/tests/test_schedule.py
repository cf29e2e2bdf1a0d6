"""Properties of the prep schedule, over any lead time, template and daily limit.

`schedule.plan` is a pure function, so every rule of its docstring is checked here on
whatever hypothesis can think of: departures weeks ahead, today, or already past; empty
templates and templates of 40 items; one task a day or ten. Expected values are
computed from the input, not with the code under test.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from homefront.prep.schedule import Plan
from homefront.prep.schedule import Wanted
from homefront.prep.schedule import plan

SETTINGS = settings(max_examples=300, deadline=None)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Case:
    wanted: list[Wanted]
    today: date
    departure: date
    per_day: int

    def run(self) -> Plan:
        return plan(list(self.wanted), self.today, self.departure, self.per_day)

    @property
    def first_day(self) -> date:
        return min(self.today, self.departure)

    @property
    def days(self) -> list[date]:
        count = (self.departure - self.first_day).days + 1
        return [self.first_day + n * DAY for n in range(count)]

    @property
    def essentials(self) -> list[Wanted]:
        return [w for w in self.wanted if w.essential]

    @property
    def optionals(self) -> list[Wanted]:
        return [w for w in self.wanted if not w.essential]

    def ideal(self, item: Wanted) -> date:
        return min(max(self.departure - item.days_before * DAY, self.first_day), self.departure)


keys = st.text(alphabet="abcdefghij", min_size=1, max_size=3)
items = st.lists(
    st.tuples(keys, st.booleans(), st.integers(min_value=0, max_value=30)),
    max_size=40,
    unique_by=lambda item: item[0],
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    today = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
    lead = draw(st.integers(min_value=-10, max_value=40))
    wanted = [Wanted(key, essential, before) for key, essential, before in draw(items)]
    per_day = draw(st.integers(min_value=1, max_value=10))
    return Case(wanted, today, today + lead * DAY, per_day)


def case(lead: int, per_day: int, *template: tuple[str, bool, int]) -> Case:
    today = date(2026, 10, 4)
    return Case([Wanted(*item) for item in template], today, today + lead * DAY, per_day)


# The story's template: 8 essentials and 4 optional tasks, 4 days ahead, 3 a day.
STORY = case(
    4,
    3,
    ("tell-kids", True, 4),
    ("who-each-night", True, 4),
    ("daycare", True, 3),
    ("medicines", True, 3),
    ("comfort", False, 3),
    ("laundry", False, 3),
    ("tickets", True, 2),
    ("groceries", False, 2),
    ("tidy", False, 2),
    ("walk-through", True, 1),
    ("pack", True, 1),
    ("charge", True, 0),
)
TOO_MANY_ESSENTIALS = case(1, 1, ("a", True, 5), ("b", True, 1), ("c", True, 0), ("d", False, 3))
ALREADY_GONE = case(-3, 2, ("a", True, 2), ("b", True, 0), ("c", False, 9))
TODAY = case(0, 2, ("a", True, 0), ("b", True, 1), ("c", True, 2), ("d", False, 0))


def load(result: Plan) -> Counter[date]:
    return Counter(result.due.values())


@SETTINGS
@given(cases())
@example(STORY)
@example(ALREADY_GONE)
def test_nothing_is_due_after_the_departure_nor_before_the_first_day(case: Case) -> None:
    result = case.run()

    for day in result.due.values():
        assert case.first_day <= day <= case.departure


@SETTINGS
@given(cases())
@example(STORY)
@example(TOO_MANY_ESSENTIALS)
@example(TODAY)
def test_no_day_is_over_the_limit_unless_the_essentials_alone_need_it(case: Case) -> None:
    result = case.run()
    essentials_do_not_fit = len(case.essentials) > case.per_day * len(case.days)

    assert result.crowded == essentials_do_not_fit
    busiest = max(load(result).values(), default=0)
    if essentials_do_not_fit:
        # Every day is full, and the overflow is spread: no day carries more than
        # the essentials need.
        assert busiest == math.ceil(len(case.essentials) / len(case.days))
        assert all(load(result)[day] >= case.per_day for day in case.days)
    else:
        assert busiest <= case.per_day


@SETTINGS
@given(cases())
@example(STORY)
@example(TODAY)
def test_optional_tasks_never_go_on_the_last_evening_or_the_day_itself(case: Case) -> None:
    result = case.run()
    last_optional_day = case.departure - 2 * DAY

    for item in case.optionals:
        if item.key in result.due:
            assert result.due[item.key] <= last_optional_day
            # ...and never push a day over the limit.
            assert load(result)[result.due[item.key]] <= case.per_day


@SETTINGS
@given(cases())
@example(STORY)
@example(TOO_MANY_ESSENTIALS)
@example(ALREADY_GONE)
def test_every_essential_is_planned_and_no_optional_task_is_lost(case: Case) -> None:
    result = case.run()
    every_key = {item.key for item in case.wanted}

    assert {item.key for item in case.essentials} <= result.due.keys()
    assert len(result.left_out) == len(set(result.left_out))
    assert set(result.left_out) <= {item.key for item in case.optionals}
    assert not set(result.left_out) & result.due.keys()
    assert result.due.keys() | set(result.left_out) == every_key


@SETTINGS
@given(cases())
@example(STORY)
def test_an_optional_task_is_left_out_only_when_there_is_no_room(case: Case) -> None:
    result = case.run()
    room_days = [day for day in case.days if day <= case.departure - 2 * DAY]

    if result.left_out:
        assert all(load(result)[day] >= case.per_day for day in room_days)


@SETTINGS
@given(cases(), st.randoms(use_true_random=False))
@example(STORY, random.Random(1))
def test_the_same_input_always_gives_the_same_plan_whatever_its_order(
    case: Case, rnd: random.Random
) -> None:
    first = case.run()
    shuffled = list(case.wanted)
    rnd.shuffle(shuffled)

    assert case.run() == first
    again = plan(shuffled, case.today, case.departure, case.per_day)
    assert again == first
    assert again.left_out == first.left_out  # the same order too, not just the same items


@SETTINGS
@given(cases())
@example(STORY)
@example(TODAY)
def test_an_essential_goes_as_close_to_its_ideal_day_as_room_allows_earlier_first(
    case: Case,
) -> None:
    """The docstring: essentials first, each on its ideal day if it has room, else on the
    nearest earlier day with room, else on the nearest later one. Essentials are placed
    before any optional task, so "had room" is counted in essentials only."""
    result = case.run()
    essentials_on = Counter(result.due[item.key] for item in case.essentials)

    def full(day: date) -> bool:
        return essentials_on[day] >= case.per_day

    for item in case.essentials:
        ideal, due = case.ideal(item), result.due[item.key]
        if due > ideal:
            # Later than ideal: the ideal day, every earlier one, and those in between were full.
            assert all(full(day) for day in case.days if day < due)
        elif due < ideal:
            # Earlier than ideal: every day from there up to the ideal one was full.
            assert all(full(day) for day in case.days if due < day <= ideal)


def test_the_story_trip_four_days_ahead_fills_every_day_calmly() -> None:
    result = STORY.run()
    departure = STORY.departure

    assert not result.crowded
    assert result.left_out == ()
    assert load(result) == {
        departure - 4 * DAY: 3,
        departure - 3 * DAY: 3,
        departure - 2 * DAY: 3,
        departure - DAY: 2,
        departure: 1,
    }
    assert result.due["charge"] == departure
    assert result.due["pack"] == result.due["walk-through"] == departure - DAY
    assert result.due["tell-kids"] == result.due["who-each-night"] == departure - 4 * DAY


def test_a_departure_already_past_gets_its_essentials_on_that_day_and_no_optional_task() -> None:
    result = ALREADY_GONE.run()

    assert result.due == {"a": ALREADY_GONE.departure, "b": ALREADY_GONE.departure}
    assert result.left_out == ("c",)
    assert not result.crowded


def test_essentials_that_do_not_fit_are_all_planned_and_the_plan_says_so() -> None:
    result = TOO_MANY_ESSENTIALS.run()

    assert result.crowded
    assert set(result.due) == {"a", "b", "c"}
    assert sorted(load(result).values()) == [1, 2]
    assert result.left_out == ("d",)
