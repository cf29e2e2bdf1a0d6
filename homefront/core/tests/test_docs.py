"""The documentation keeps up with the code."""

from __future__ import annotations

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]
READERS = re.compile(r"env_\w+\(\s*\"([A-Z][A-Z0-9_]+)\"")


def variables_read_by_the_code() -> set[str]:
    found: set[str] = set()
    for source in (PROJECT / "homefront").rglob("*.py"):
        if "tests" in source.parts:
            continue
        found |= set(READERS.findall(source.read_text(encoding="utf-8")))
    return found


def test_every_setting_is_documented():
    variables = variables_read_by_the_code()
    assert {"HOMEFRONT_ENV", "DATABASE_URL", "HOMEFRONT_BIND"} <= variables
    documented = set(
        re.findall(r"`([A-Z][A-Z0-9_]+)`", (PROJECT / "docs/configuration.md").read_text())
    )
    assert variables - documented == set()


def test_readme_shows_the_two_commands():
    readme = (PROJECT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
