# The two commands: `make run` serves Homefront, `make test` runs the whole suite.
# Both set up what they need from the lock file; nothing downloads an interpreter.

SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTHON ?= python3

.PHONY: run test test-multiserver test-prerequisites bench lint check-migrations pytest setup clean help messages
.DEFAULT_GOAL := help

help:
	@echo "make run    serve Homefront on http://127.0.0.1:8000 (demo household in an empty database)"
	@echo "make test   lint, type-check and run the whole test suite (DATABASE_URL picks PostgreSQL)"
	@echo "make bench  seed family and hosted scale databases and measure the main pages (docs/benchmarks.md)"

# uv itself comes from PyPI into a private tools folder when the machine has none.
.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

setup: .venv/.synced

run: setup
	$(UV) run --frozen homefront setup
	$(UV) run --frozen homefront serve

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy homefront
	$(UV) run --frozen lint-imports

check-migrations: setup
	$(UV) run --frozen homefront makemigrations --check --dry-run --settings=homefront.settings_test

pytest: setup
	$(UV) run --frozen pytest $(PYTEST_ARGS)

# The .po catalogs (homefront/locale and each app's locale/) from the templates, Python
# and JavaScript, then the .mo files Django reads, which are committed so `make run`
# needs no gettext (docs/translating.md). Needs Debian's gettext (msgfmt).
MESSAGE_LANGUAGES := es he
MAKEMESSAGES := cd homefront && PYTHONPATH=.. DJANGO_SETTINGS_MODULE=homefront.settings_test \
	../.venv/bin/python -m django makemessages --no-obsolete --add-location=file \
	--ignore='*/tests/*' --ignore='tests/*' --ignore='static/vendor/*' $(addprefix --locale=,$(MESSAGE_LANGUAGES))
messages: setup
	$(MAKEMESSAGES) --domain=django
	$(MAKEMESSAGES) --domain=djangojs --ignore='*.min.js'
	@# The extraction time would change every catalog, and its .mo, on every run.
	find homefront -path '*/locale/*/LC_MESSAGES/*.po' -exec sed -i '/^"POT-Creation-Date: /d' {} +
	cd homefront && PYTHONPATH=.. DJANGO_SETTINGS_MODULE=homefront.settings_test \
		../.venv/bin/python -m django compilemessages --ignore='.venv'

# Chromium, poppler, gettext, Redis, Java and npm (the Nu checker and axe-core from npm,
# pinned, into .tools/npm): installed (as root) and started when missing.
test-prerequisites:
	@scripts/test-prerequisites

test: test-prerequisites lint check-migrations pytest

# The hosted topology of docs/deploy.md in miniature: two app servers and two workers on
# one PostgreSQL (DATABASE_URL) and one Redis (127.0.0.1:6379); .ci/run starts both.
test-multiserver: setup
	$(UV) run --frozen pytest -m multiserver homefront/core/tests/test_multiserver.py $(PYTEST_ARGS)

# wrk and a running PostgreSQL are the bench's only needs beyond the lock file.
bench: setup
	@command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk; }
	@pg_isready -q -h 127.0.0.1 -p 5432 || \
		pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start
	$(UV) run --frozen python -m bench.run $(BENCH_ARGS)
	$(UV) run --frozen python -m bench.photos

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
