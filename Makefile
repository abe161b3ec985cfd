# meritflow: the two everyday commands are `make run` and `make test` (see README.md).
#
#   make run       install (runtime lock), migrate, seed the demo, start the timer dispatcher and the ASGI server
#   make test      install (dev lock), then the test suite on SQLite, ruff, migrations check and import layers
#   make test-pg   the test suite against the PostgreSQL server named by DATABASE_URL
#   make e2e       the browser tests only (Debian's chromium), screenshots in e2e-artifacts/screenshots/
#   make lint      ruff, formatting, migrations check and import layers only
#   make messages  regenerate every translation catalogue, then compile them
#   make bench     run the benchmarks in benchmarks/
#   make lock      regenerate requirements.lock and requirements-dev.lock from pyproject.toml

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
APPS := web org_hierarchy audit notifications nominations documents workflows reports api
HOST := 127.0.0.1
PORT := 8000
# How often the viewflow timer dispatcher runs (deadline reminders and escalations), in seconds.
TIMER_INTERVAL := 60
RUNTIME_STAMP := $(VENV)/.meritflow-runtime
DEV_STAMP := $(VENV)/.meritflow-dev
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links \
	--strip-extras --allow-unsafe

.PHONY: help run test test-pg e2e lint messages compiled-messages bench lock

help:
	@sed -n '3,11p' Makefile | sed 's/^# \{0,1\}//'

# A working Python 3.12: on PATH, else from pyenv's versions (its shims may point at no installed version).
$(PY):
	@python=""; \
	for candidate in python3.12 python3; do \
		if command -v "$$candidate" >/dev/null && "$$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then \
			python="$$(command -v "$$candidate")"; break; \
		fi; \
	done; \
	if [ -z "$$python" ] && command -v pyenv >/dev/null; then \
		for candidate in "$$(pyenv root)"/versions/3.12*/bin/python3.12; do \
			if [ -x "$$candidate" ] && "$$candidate" -c '' 2>/dev/null; then python="$$candidate"; fi; \
		done; \
	fi; \
	if [ -z "$$python" ]; then echo "meritflow needs Python 3.12 (python3.12 on PATH or installed with pyenv)." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	@touch $@

$(DEV_STAMP): requirements-dev.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	@touch $@ $(RUNTIME_STAMP)

# The demo's e-mails go to files, not over the demo logins in the console (set EMAIL_URL to send them elsewhere).
run: export EMAIL_URL ?= filemail:///$(CURDIR)/var/mail
# The links printed by seed_demo and written in e-mails lead to the address this target serves.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(RUNTIME_STAMP) compiled-messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@( while true; do $(PY) manage.py dispatch_timers --verbosity 0 >/dev/null || true; sleep $(TIMER_INTERVAL); done ) & \
	timers=$$!; \
	trap 'kill $$timers 2>/dev/null || true' EXIT; \
	echo; \
	echo "meritflow is starting at http://$(HOST):$(PORT)/ (log in with a demo account above; Ctrl-C stops it)."; \
	echo "Timer dispatcher: manage.py dispatch_timers every $(TIMER_INTERVAL) s (pid $$timers)."; \
	echo "E-mails: $$EMAIL_URL"; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# pytest exits with 5 when it collected nothing: a suite that silently ran no test is a failure too.
test: $(DEV_STAMP) compiled-messages
	$(PY) -m pytest -q || { status=$$?; [ $$status -ne 5 ] || echo "No tests ran." >&2; exit $$status; }
	$(MAKE) --no-print-directory lint

test-pg: $(DEV_STAMP) compiled-messages
	@case "$${DATABASE_URL:-}" in postgres*) ;; \
		*) echo "make test-pg needs DATABASE_URL=postgres://user:password@host:port/name" >&2; exit 2;; esac
	$(PY) -m pytest -q --create-db || { status=$$?; [ $$status -ne 5 ] || echo "No tests ran." >&2; exit $$status; }

e2e: $(DEV_STAMP) compiled-messages
	MERITFLOW_REQUIRE_BROWSER=1 $(PY) -m pytest -q -m e2e tests/e2e

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

# The .mo files are committed; compile again only where a catalogue is newer than its compiled file (needs gettext).
compiled-messages: | $(PY)
	@stale=""; \
	for po in $$(find locale $(APPS) -name django.po -path '*/LC_MESSAGES/*' 2>/dev/null); do \
		mo="$${po%.po}.mo"; \
		if [ ! -f "$$mo" ] || [ "$$po" -nt "$$mo" ]; then stale="$$stale $$po"; fi; \
	done; \
	if [ -n "$$stale" ]; then \
		if command -v msgfmt >/dev/null; then \
			echo "Compiling translations:$$stale"; \
			$(VENV)/bin/django-admin compilemessages --ignore '.*' --ignore var >/dev/null; \
		else \
			echo "gettext (msgfmt) is not installed: using the committed .mo files." >&2; \
		fi; \
	fi

# The project catalogue (locale/) holds the strings of config/ and templates/ and those of viewflow's own pages,
# which viewflow ships no Vietnamese translation for. makemessages runs in a scratch directory that links them
# in, skipping viewflow's locale/ so nothing is written inside the virtualenv.
messages: $(DEV_STAMP)
	@for app in $(APPS); do \
		mkdir -p "$$app/locale"; \
		(cd "$$app" && ../$(VENV)/bin/django-admin makemessages -l vi -l en --no-obsolete >/dev/null); \
	done
	@scratch="$$(mktemp -d)"; trap 'rm -rf "$$scratch"' EXIT; \
	viewflow="$$($(PY) -c 'import importlib.util; print(importlib.util.find_spec("viewflow").submodule_search_locations[0])')"; \
	mkdir "$$scratch/viewflow"; \
	for entry in "$$viewflow"/*; do \
		case "$$(basename "$$entry")" in locale|static|__pycache__) ;; *) ln -s "$$entry" "$$scratch/viewflow/";; esac; \
	done; \
	ln -s "$(CURDIR)/config" "$(CURDIR)/templates" "$(CURDIR)/locale" "$$scratch/"; \
	(cd "$$scratch" && env -u DJANGO_SETTINGS_MODULE $(CURDIR)/$(VENV)/bin/django-admin makemessages --symlinks -l vi -l en --no-obsolete >/dev/null)
	$(VENV)/bin/django-admin compilemessages --ignore '.*' --ignore var >/dev/null
	@echo "Catalogues updated: translate every new msgid in */locale/vi/LC_MESSAGES/django.po, then run make messages again."

bench: $(DEV_STAMP)
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(PY) "$$script"; done

lock: | $(PY)
	$(PY) -m pip install --quiet pip-tools==7.6.2
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --output-file requirements-dev.lock pyproject.toml
