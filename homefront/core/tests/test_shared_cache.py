"""The cache every process and server shares: its configuration, its checks, its counting,
and what happens when Redis is down (pages work, guessing is refused)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.core.cache import cache
from django.core.cache import caches
from django.core.checks import Error
from django.core.checks import Warning
from django.test import Client
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from py_vapid import Vapid

from homefront.core import cache as shared
from homefront.core import checks
from homefront.core import ratelimit
from homefront.core.tests.servers import Server
from homefront.core.tests.servers import forged_links
from homefront.core.tests.servers import fresh_minute
from homefront.core.tests.servers import new_site
from homefront.env import ConfigurationError
from homefront.env import env_cache_url
from homefront.handoff.models import ShareLink
from homefront.testing.command import PROJECT
from homefront.testing.command import clean_environment
from homefront.testing.command import run_homefront
from homefront.testing.ports import free_port
from homefront.testing.ports import wait_until
from homefront.testing.trips import trip_to

# The machine's Redis, in a database number no other part of the suite uses.
REDIS_URL = "redis://127.0.0.1:6379/5"


def redis_caches(url: str) -> dict[str, dict[str, object]]:
    return {
        "default": {
            "BACKEND": "homefront.core.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "homefront",
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }


@pytest.fixture(autouse=True)
def redis_answers_again():
    """A test that found Redis down must not leave the next one skipping it."""
    shared.RedisCache._down_until = 0.0
    yield
    shared.RedisCache._down_until = 0.0


@pytest.fixture
def on_redis(db):
    with override_settings(
        CACHES=redis_caches(REDIS_URL),
        CACHE_URL=REDIS_URL,
        SESSION_ENGINE="homefront.accounts.sessions",
    ):
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def redis_down(db):
    """Redis stopped: nothing listens on its port."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(
        CACHES=redis_caches(url),
        CACHE_URL=url,
        SESSION_ENGINE="homefront.accounts.sessions",
    ):
        yield


def forged_brief() -> str:
    return reverse("handoff:shared_brief", args=[secrets.token_urlsafe(32)])


# -- Reading HOMEFRONT_CACHE_URL ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "redis://:secret@redis.internal:6380/3",
        "rediss://user:secret@redis.example.org/1",
        "redis://redis.internal",
        "unix:///run/redis/redis.sock",
    ],
)
def test_a_redis_url_is_accepted(monkeypatch, url):
    monkeypatch.setenv("HF_CACHE", url)
    assert env_cache_url("HF_CACHE") == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("memcached://127.0.0.1:11211", "a Redis URL"),
        ("127.0.0.1:6379", "a Redis URL"),
        ("redis://127.0.0.1:sixty/0", "a Redis URL"),
        ("redis:///0", "a Redis URL"),
        ("redis://127.0.0.1:6379/zero", "database number"),
        ("unix://", "socket's path"),
    ],
)
def test_a_malformed_redis_url_names_the_variable(monkeypatch, url, says):
    monkeypatch.setenv("HF_CACHE", url)
    with pytest.raises(ConfigurationError, match=f"HF_CACHE must .*{says}"):
        env_cache_url("HF_CACHE")


def test_unset_means_the_database_cache(monkeypatch):
    monkeypatch.delenv("HF_CACHE", raising=False)
    assert env_cache_url("HF_CACHE") is None


def test_a_malformed_cache_url_stops_start_up(tmp_path):
    result = run_homefront(
        "check",
        env={"HOMEFRONT_DATA_DIR": str(tmp_path), "HOMEFRONT_CACHE_URL": "redis//localhost"},
    )
    assert result.returncode != 0
    assert "HOMEFRONT_CACHE_URL must be a Redis URL" in result.stderr


# -- Checks ------------------------------------------------------------------------------


def production_env(tmp_path, **env: str) -> dict[str, str]:
    return {
        "HOMEFRONT_ENV": "production",
        "HOMEFRONT_ALLOWED_HOSTS": "home.example.org",
        "HOMEFRONT_SECRET_KEY": secrets.token_urlsafe(64),
        "HOMEFRONT_DATA_DIR": str(tmp_path),
        **env,
    }


def test_an_unreachable_redis_is_a_warning_locally_and_an_error_in_production(tmp_path):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    local = run_homefront(
        "check",
        "--deploy",
        env={"HOMEFRONT_DATA_DIR": str(tmp_path), "HOMEFRONT_CACHE_URL": nowhere},
    )
    assert local.returncode == 0, local.stderr
    assert "homefront.W002" in local.stderr
    assert "HOMEFRONT_CACHE_URL: Redis does not answer" in local.stderr
    production = run_homefront(
        "check", "--deploy", env=production_env(tmp_path, HOMEFRONT_CACHE_URL=nowhere)
    )
    assert production.returncode != 0
    assert "homefront.E008" in production.stderr


@pytest.mark.parametrize("command", [["serve", "--no-worker"], ["worker", "--once"]])
def test_serve_and_worker_do_not_start_in_production_without_redis(tmp_path, command):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    result = run_homefront(*command, env=production_env(tmp_path, HOMEFRONT_CACHE_URL=nowhere))
    assert result.returncode != 0
    assert "homefront.E008" in result.stderr
    assert "HOMEFRONT_CACHE_URL: Redis does not answer" in result.stderr
    assert "Homefront is at" not in result.stdout  # gunicorn never started


def test_other_commands_still_run_while_redis_is_down(tmp_path):
    """A backup or an export during an outage must not wait for Redis."""
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    env = production_env(tmp_path, HOMEFRONT_CACHE_URL=nowhere)
    assert run_homefront("migrate", "-v", "0", env=env).returncode == 0
    backup = run_homefront("backup", "--output", str(tmp_path / "copy.sqlite3"), env=env)
    assert backup.returncode == 0, backup.stderr
    assert (tmp_path / "copy.sqlite3").stat().st_size > 0


def vapid_private_key() -> str:
    key = Vapid()
    key.generate_keys()
    return key.private_pem().decode()


def test_two_servers_on_postgresql_and_redis_pass_the_deploy_checks(tmp_path):
    result = run_homefront(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(
            tmp_path,
            HOMEFRONT_CACHE_URL=REDIS_URL,
            HOMEFRONT_SERVERS="2",
            DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
            # Like the secret key, one VAPID key for every server (homefront.E020).
            HOMEFRONT_VAPID_PRIVATE_KEY=vapid_private_key(),
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_configured_secret_key_fails_the_deploy_check(tmp_path):
    result = run_homefront(
        "check",
        "--deploy",
        env={
            "HOMEFRONT_ENV": "production",
            "HOMEFRONT_ALLOWED_HOSTS": "home.example.org",
            "HOMEFRONT_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode != 0
    assert "homefront.E004" in result.stderr
    assert "E001" not in result.stderr  # the only mistake made


def test_several_servers_need_postgresql_and_a_shared_cache(tmp_path):
    result = run_homefront(
        "check",
        "--deploy",
        env={"HOMEFRONT_DATA_DIR": str(tmp_path), "HOMEFRONT_SERVERS": "3"},
    )
    assert result.returncode != 0
    assert "homefront.E006" in result.stderr  # SQLite
    assert "homefront.E007" in result.stderr  # the cache table of that SQLite file
    with_redis = run_homefront(
        "check",
        "--deploy",
        env={
            "HOMEFRONT_DATA_DIR": str(tmp_path),
            "HOMEFRONT_SERVERS": "3",
            "HOMEFRONT_CACHE_URL": REDIS_URL,
        },
    )
    assert "homefront.E007" not in with_redis.stderr
    assert "homefront.E006" in with_redis.stderr


def ids(problems: list[Error | Warning]) -> list[str]:
    return sorted(str(problem.id) for problem in problems)


def test_a_per_process_cache_fails_the_deploy_check_in_production():
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem, PRODUCTION=True, SECRET_KEY_CONFIGURED=True):
        assert ids(checks.shared_state(None)) == ["homefront.E005"]
    with override_settings(CACHES=locmem, PRODUCTION=False, SERVERS=1):
        assert ids(checks.shared_state(None)) == []


def test_several_servers_on_the_postgresql_cache_table_are_warned_towards_redis(monkeypatch):
    monkeypatch.setattr(checks, "on_postgresql", lambda: True)
    with override_settings(SERVERS=2, CACHE_URL=None):
        assert ids(checks.shared_state(None)) == ["homefront.W001"]
    with override_settings(SERVERS=2, CACHE_URL=REDIS_URL, CACHES=redis_caches(REDIS_URL)):
        assert ids(checks.shared_state(None)) == []


# -- The one-box cache: a table every process shares -------------------------------------------


def test_the_default_cache_is_the_database_table(db):
    assert isinstance(caches["default"], shared.DatabaseCache)
    cache.set("greeting", {"hello": "world"}, 60)
    assert cache.get("greeting") == {"hello": "world"}
    assert cache.add("counter", 0, 60)
    assert not cache.add("counter", 5, 60)
    assert [cache.incr("counter") for _ in range(3)] == [1, 2, 3]
    assert cache.incr("counter", 0) == 3
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")


COUNTER = """
import pathlib, time
from django.core.cache import cache
from django.db import connection
connection.ensure_connection()
folder = pathlib.Path({folder!r})
(folder / "ready-{number}").touch()
while not (folder / "go").exists():  # all four start counting at once
    time.sleep(0.001)
for _ in range({times}):
    cache.add("counter", 0, 600)
    cache.incr("counter")
"""


def test_processes_counting_at_once_lose_no_count(tmp_path):
    """Django's own DatabaseCache.incr is a get and a set: four processes counting 150
    each at once ended at 229, 301 and 445 of 600 when tried. Homefront's counts every
    one."""
    env = {"HOMEFRONT_DATA_DIR": str(tmp_path)}
    migrated = run_homefront("migrate", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    workers = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "homefront.cli", "shell", "-v", "0", "-c"),
                COUNTER.format(folder=str(tmp_path), number=number, times=150),
            ],
            env=clean_environment(**env),
            cwd=PROJECT,
        )
        for number in range(4)
    ]
    wait_until(lambda: len(list(tmp_path.glob("ready-*"))) == 4, "four counters to be ready")
    (tmp_path / "go").touch()
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0, 0]
    counted = run_homefront(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.cache import cache; print(cache.get('counter'))",
        env=env,
    )
    assert counted.stdout.strip() == "600", counted.stderr


# -- Redis: counting, sessions, and Redis down ---------------------------------------------------


def test_redis_counts_and_keeps_what_it_is_given(on_redis):
    assert isinstance(caches["default"], shared.RedisCache)
    cache.set("greeting", "hello", 60)
    assert cache.get("greeting") == "hello"
    assert cache.add("counter", 0, 60)
    assert [cache.incr("counter") for _ in range(2)] == [1, 2]
    assert cache.incr("counter", 0) == 2


def test_one_redis_client_serves_every_call_and_outlives_its_connections(on_redis):
    kept = cache._cache  # type: ignore[attr-defined]
    assert kept.get_client(write=True) is kept.get_client("any key")
    cache.set("greeting", "hello", 60)
    # Redis closes every client connection (a restart, a timeout): the pool reconnects.
    admin = redis.Redis.from_url(REDIS_URL)
    admin.client_kill_filter(_type="normal", skipme=True)
    assert cache.get("greeting") == "hello"


def test_the_share_link_budget_is_thirty_a_minute_on_redis(on_redis):
    client = Client()
    answers = [client.get(forged_brief()).status_code for _ in range(35)]
    assert answers == [404] * 30 + [429] * 5


def test_a_session_survives_redis_forgetting_it(on_redis, family):
    client = family.client_for(family.parent)
    assert client.get(reverse("core:home")).status_code == 200
    cache.clear()  # Redis restarted empty: the session is read from the database
    assert client.get(reverse("core:home")).status_code == 200


def test_with_redis_down_pages_answer_and_guessing_is_refused(redis_down, family):
    parent = family.client_for(family.parent)  # a session made while Redis is down
    assert parent.get(reverse("core:home")).status_code == 200
    assert parent.get(reverse("trips:calendar")).status_code == 200
    stranger = Client()
    assert stranger.get(reverse("accounts:login")).status_code == 200
    assert stranger.get(forged_brief()).status_code == 429
    assert (
        stranger.get("/api/v1/journal-entries", HTTP_AUTHORIZATION="Bearer nope").status_code == 429
    )


def test_with_redis_down_a_working_share_link_waits_too(redis_down, family):
    """Fail closed: the throttle cannot tell a guess from the link, so both wait."""
    now = timezone.now()
    trip = trip_to(
        family, "Denver", "America/Denver", now + timedelta(days=2), now + timedelta(days=4)
    )
    _link, token = ShareLink.issue(trip, family.parent, label="Grandma")
    response = Client().get(reverse("handoff:shared_brief", args=[token]))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"


def test_a_failed_redis_is_left_alone_for_a_few_seconds(on_redis, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(shared.time, "monotonic", lambda: clock[0])
    cache.set("greeting", "hello", 60)
    shared.RedisCache._down_until = clock[0] + shared.REDIS_RETRY_SECONDS  # as after a failure
    assert cache.get("greeting") is None  # not asked
    with pytest.raises(shared.CacheUnavailable):
        cache.incr("counter")
    clock[0] += shared.REDIS_RETRY_SECONDS + 0.1
    assert cache.get("greeting") == "hello"


def test_a_redis_failure_starts_the_pause(redis_down):
    assert not ratelimit.SHARE_LINKS.spend(Client().get("/healthz").wsgi_request)
    assert shared.RedisCache._down_until > shared.time.monotonic()


# -- One box: gunicorn's two workers count in one budget ------------------------------------------


def test_one_box_allows_thirty_guesses_a_minute_across_its_workers(
    transactional_db, tmp_path, tmp_path_factory
):
    """Before the shared cache, each worker process counted alone: 60 of 100 forged links
    got their 404 before the first 429 with the default two workers."""
    site = new_site(tmp_path / "site", tmp_path_factory.getbasetemp())
    with Server(site, name="one-box", background_worker=False) as server:  # two workers
        server.started()
        fresh_minute(need=30)
        statuses = forged_links([server], 100)
        # Eight at a time all pass the "spent?" check at 29: the count itself decides.
        feeds = forged_links([server], 100, kind="feed")
        tokens = forged_links([server], 100, kind="api")
    assert Counter(statuses) == {404: 30, 429: 70}
    assert Counter(feeds) == {404: 30, 429: 70}
    assert Counter(tokens) == {401: 30, 429: 70}
