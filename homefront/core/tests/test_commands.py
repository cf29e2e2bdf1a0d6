"""The `homefront` command: setup, demo, and serve with its worker, as `make run` uses them."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError
from django.core.management import call_command
from django.test import RequestFactory

from homefront.accounts.models import User
from homefront.demo.household import DEMO_HOUSEHOLD_NAME
from homefront.demo.household import load_demo
from homefront.households.models import Contact
from homefront.households.models import FoodKind
from homefront.households.models import Household
from homefront.households.models import Role
from homefront.testing.command import PROJECT
from homefront.testing.command import clean_environment
from homefront.testing.command import run_homefront
from homefront.testing.ports import free_port
from homefront.testing.ports import wait_until


def homefront_env(data_dir: Path) -> dict[str, str]:
    return clean_environment(HOMEFRONT_DATA_DIR=str(data_dir))


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_homefront(*args, env={"HOMEFRONT_DATA_DIR": str(data_dir)}, timeout=180)


@pytest.mark.django_db
@time_machine.travel("2026-11-24 15:00:00+00:00", tick=False)
def test_demo_household_is_the_family_of_the_story():
    out = StringIO()
    household = load_demo(out)
    assert household.time_zone == "America/New_York"
    girls = {child.name: child.age() for child in household.children.all()}
    assert girls == {"Maya": "4½", "Noa": "3"}
    roles = dict(household.memberships.values_list("user__name", "role"))
    assert roles == {
        "Rachel Levin": Role.PARENT,
        "David Levin": Role.PARENT,
        "Judy Stern": "caregiver",
    }
    likes = set(
        household.children.get(name="Maya")
        .foods.filter(kind=FoodKind.LIKE)
        .values_list("name", flat=True)
    )
    assert "Raw currants" in likes
    phone_tree = [c.name for c in Contact.objects.in_household(household).backups()]
    assert phone_tree[:3] == ["Sarah Cohen", "Judy Stern", "Alan Stern"]
    assert all("California" in c.relation for c in Contact.objects.filter(name__endswith="Stern"))
    password = re.search(r"password for all three: (\S+)", out.getvalue())[1]
    request = RequestFactory().post("/account/login/")
    assert authenticate(request, username="rachel@demo.homefront.invalid", password=password)


@pytest.mark.django_db
@pytest.mark.parametrize("today", ["2027-03-01", "2028-02-29", "2029-07-15"])
def test_demo_ages_stay_true_whenever_it_is_loaded(today):
    with time_machine.travel(f"{today} 12:00:00+00:00", tick=False):
        household = load_demo(StringIO())
        ages = dict((child.name, child.age()) for child in household.children.all())
    assert ages == {"Maya": "4½", "Noa": "3"}


@pytest.mark.django_db
def test_demo_command_refuses_to_load_twice():
    call_command("demo", stdout=StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("demo", stdout=StringIO())
    assert Household.objects.filter(name=DEMO_HOUSEHOLD_NAME).count() == 1


@pytest.mark.django_db
def test_no_account_exists_without_the_demo():
    assert not User.objects.exists()


def test_setup_loads_the_demo_into_an_empty_database_only(tmp_path):
    first = run("setup", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "rachel@demo.homefront.invalid" in first.stdout
    password = re.search(r"password for all three: (\S+)", first.stdout)[1]
    assert (tmp_path / "homefront.sqlite3").exists()
    assert (tmp_path / "static" / "staticfiles.json").exists()

    again = run("setup", data_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    assert password in again.stdout  # the logins are shown again, the demo is not reloaded
    count = run(
        "shell",
        "-v",
        "0",
        "-c",
        "from homefront.households.models import Household; print(Household.objects.count())",
        data_dir=tmp_path,
    )
    assert count.stdout.strip() == "1"


def test_setup_without_demo_leaves_no_account(tmp_path):
    result = run("setup", "--no-demo", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    users = run(
        "shell",
        "-v",
        "0",
        "-c",
        "from homefront.accounts.models import User; print(User.objects.count())",
        data_dir=tmp_path,
    )
    assert users.stdout.strip() == "0"


def wait_for(url: str, seconds: float = 30) -> urllib.request.http.client.HTTPResponse:
    def answer() -> urllib.request.http.client.HTTPResponse | None:
        try:
            return urllib.request.urlopen(url, timeout=2)  # noqa: S310  (loopback only)
        except OSError:
            return None

    return wait_until(answer, f"{url} to answer", seconds)


def test_serve_runs_the_production_server_and_the_worker(tmp_path):
    assert run("setup", "--no-demo", data_dir=tmp_path).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "homefront.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=homefront_env(tmp_path),
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = wait_for(f"http://127.0.0.1:{port}/healthz")
        assert health.status == 200
        assert health.headers["Server"].startswith("gunicorn")
        login = urllib.request.urlopen(f"http://127.0.0.1:{port}/account/login/", timeout=5)
        page = login.read().decode()
        stylesheet = re.search(r'href="(/static/homefront/app\.[0-9a-f]+\.css)"', page)[1]
        css = urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet}", timeout=5)
        assert "max-age=315360000" in css.headers["Cache-Control"]  # whitenoise, hashed name

        queued = run(
            "shell",
            "-v",
            "0",
            "-c",
            "from homefront.core.tasks import send_email;"
            " print(send_email.enqueue(subject='Hi', body='Hello', to=['a@example.com']).id)",
            data_dir=tmp_path,
        )
        task_id = queued.stdout.strip()
        assert task_id, queued.stderr
        status = ""
        deadline = time.monotonic() + 30
        while status != "SUCCESSFUL" and time.monotonic() < deadline:
            time.sleep(0.5)
            status = run(
                "shell",
                "-v",
                "0",
                "-c",
                "from homefront.core.tasks import send_email;"
                f" print(send_email.get_result('{task_id}').status)",
                data_dir=tmp_path,
            ).stdout.strip()
        assert status == "SUCCESSFUL"
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert f"Homefront is at http://127.0.0.1:{port}/" in output


@pytest.mark.django_db
@time_machine.travel("2026-11-24 15:00:00+00:00", tick=False)
def test_demo_has_the_story_trip_and_the_fathers_next_work_trip():
    from homefront.trips.models import TripKind
    from homefront.trips.models import TripState

    household = load_demo(StringIO())
    trips = list(household.trips.select_related("traveller").order_by("starts_at"))
    story = next(trip for trip in trips if trip.destination.startswith("Albuquerque"))
    assert story.traveller.name == "Rachel Levin"
    assert story.destination_zone == "America/Denver"
    assert story.state() == TripState.BACK
    assert (story.local_start.strftime("%A"), story.local_end.strftime("%A")) == (
        "Thursday",
        "Sunday",
    )
    assert story.nights == 3
    assert [trip.nights for trip in trips if trip.traveller_id == story.traveller_id] == [1, 2, 3]
    upcoming = [trip for trip in trips if trip.state() == TripState.UPCOMING]
    assert [(t.traveller.name, t.kind) for t in upcoming] == [("David Levin", TripKind.WORK)]
