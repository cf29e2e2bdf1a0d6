"""Homefront's own settings, plus the framework floor's URL and nothing else."""

from homefront.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
