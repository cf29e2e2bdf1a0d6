"""The test suite's adjustments to the settings; everything else is as configured."""

import os
import tempfile

os.environ.setdefault("HOMEFRONT_SECRET_KEY", "tests-only-" + "x" * 50)
os.environ.setdefault("HOMEFRONT_DATA_DIR", tempfile.mkdtemp(prefix="homefront-tests-"))

from homefront.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed, tests only
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each request renders, so tests that count a page's queries count its own; the tests of
# kept pages (core/tests/test_conditional.py) turn it on.
KEEP_PAGES = False
# Static files straight from the source folders, as runserver would serve them.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
