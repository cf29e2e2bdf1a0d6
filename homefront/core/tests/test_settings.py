"""Configuration: typed environment readers, and production settings that pass Django's
deployment checks with no warning."""

from __future__ import annotations

import secrets

import pytest

from homefront.env import ConfigurationError
from homefront.env import env_bool
from homefront.env import env_choice
from homefront.env import env_int
from homefront.env import env_list
from homefront.env import env_optional_str
from homefront.testing.command import run_homefront


def test_env_readers(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_FLAG", "yes")
    assert env_bool("HF_FLAG", False) is True
    monkeypatch.setenv("HF_FLAG", "maybe")
    with pytest.raises(ConfigurationError, match="HF_FLAG must be true or false"):
        env_bool("HF_FLAG", False)
    monkeypatch.setenv("HF_NUMBER", "seven")
    with pytest.raises(ConfigurationError, match="HF_NUMBER must be a whole number"):
        env_int("HF_NUMBER", 1)
    monkeypatch.setenv("HF_NUMBER", "0")
    with pytest.raises(ConfigurationError, match="at least 1"):
        env_int("HF_NUMBER", 1, minimum=1)
    monkeypatch.setenv("HF_LIST", " a.example, ,b.example ")
    assert env_list("HF_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("HF_ENV", "staging")
    with pytest.raises(ConfigurationError, match="one of local, production"):
        env_choice("HF_ENV", "local", ("local", "production"))


def test_file_variant_reads_secrets_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("HF_SECRET_FILE", str(secret))
    assert env_optional_str("HF_SECRET") == "from-a-file"
    monkeypatch.setenv("HF_SECRET", "both")
    with pytest.raises(ConfigurationError, match="either HF_SECRET or HF_SECRET_FILE"):
        env_optional_str("HF_SECRET")


def test_production_passes_deploy_checks_without_warning(tmp_path):
    result = run_homefront(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "HOMEFRONT_ENV": "production",
            "HOMEFRONT_DATA_DIR": str(tmp_path),
            "HOMEFRONT_ALLOWED_HOSTS": "home.example.org",
            "HOMEFRONT_SECRET_KEY": secrets.token_urlsafe(64),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_allowed_hosts_is_an_error(tmp_path):
    result = run_homefront(
        "check",
        "--deploy",
        env={"HOMEFRONT_ENV": "production", "HOMEFRONT_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "homefront.E001" in result.stderr


def test_a_bad_value_stops_start_up_with_the_variable_name(tmp_path):
    result = run_homefront(
        "check", env={"HOMEFRONT_DATA_DIR": str(tmp_path), "HOMEFRONT_SIGNUP_OPEN": "perhaps"}
    )
    assert result.returncode != 0
    assert "HOMEFRONT_SIGNUP_OPEN must be true or false" in result.stderr


def test_secret_key_is_generated_once_and_kept(tmp_path):
    print_key = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {"HOMEFRONT_DATA_DIR": str(tmp_path)}
    first = run_homefront("shell", "-v", "0", "-c", print_key, env=env)
    second = run_homefront("shell", "-v", "0", "-c", print_key, env=env)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert second.stdout.strip() == key
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == key
    assert key_file.stat().st_mode & 0o077 == 0


def test_sqlite_is_tuned_for_concurrent_use(tmp_path):
    result = run_homefront(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA busy_timeout').fetchone()[0],"
        " connection.settings_dict['OPTIONS']['transaction_mode'])",
        env={"HOMEFRONT_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"]


PERSISTENCE = """
from django.core.signals import request_finished, request_started
from django.db import connection

def request():
    request_started.send(None)
    connection.ensure_connection()
    used = connection.connection
    request_finished.send(None)
    return used

first = request()
kept = request() is first
connection.close()
fresh = request() is not first
c = connection.cursor()
print(kept, fresh, *[c.execute(f"PRAGMA {name}").fetchone()[0] for name in
      ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")],
      connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["CONN_HEALTH_CHECKS"])
"""


def test_sqlite_connections_outlive_requests_and_each_new_one_is_tuned(tmp_path):
    """A request does not open the database and run the PRAGMAs again; a connection made
    later (after 60 s, or after an error) gets every PRAGMA as the first one did."""
    result = run_homefront(
        "shell", "-v", "0", "-c", PERSISTENCE, env={"HOMEFRONT_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    # synchronous 1 is NORMAL
    assert result.stdout.split() == ["True", "True", "wal", "1", "1", "20000", "60", "True"]


def test_database_url_selects_postgresql(tmp_path):
    result = run_homefront(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default'];"
        " print(d['ENGINE'], d['NAME'], d['HOST'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        env={
            "HOMEFRONT_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://family@db.internal:5432/homefront",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "homefront",
        "db.internal",
        "60",  # connections outlive requests, checked before reuse
        "True",
    ]
