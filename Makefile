# Two commands on a fresh machine: `make run` and `make test`.
# Everything below is idempotent: a second run reuses what is there.

SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
BIN   := $(VENV)/bin
DEB_PACKAGES := fonts-nanum fonts-noto-color-emoji libharfbuzz-subset0 poppler-utils chromium zbar-tools
INSTANCE := instance
DB := $(INSTANCE)/cem.sqlite3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup system-deps translations db benchmarks clean

# The task queue (mail, reminders, digests, schedules) runs beside the server and stops with it.
run: setup db
	@$(BIN)/fieldapp demo-logins
	@$(BIN)/fieldapp worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask --app fieldapp run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/pytest -q -p no:cacheprovider

setup: system-deps $(VENV)/.stamp-install translations

# Debian packages: a CJK font for Hangul in PDFs, HarfBuzz subsetting (fast
# PDF fonts), poppler for PDF checks, Chromium for browser tests.
system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.stamp-install: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

CATALOGS := $(patsubst %.po,%.mo,$(wildcard fieldapp/translations/*/LC_MESSAGES/messages.po))

translations: $(CATALOGS)

# Compile a catalog only when its .po changed.
fieldapp/translations/%/LC_MESSAGES/messages.mo: fieldapp/translations/%/LC_MESSAGES/messages.po $(VENV)/.stamp-install
	@$(BIN)/pybabel compile -d fieldapp/translations -l $*

# Migrations run whenever the app starts; seeding only fills an empty instance.
db: setup
	@$(BIN)/fieldapp seed-demo --if-empty

benchmarks: setup
	$(PY) benchmarks/sim_vs_ciw.py
	$(PY) benchmarks/report_pdf.py
	$(PY) benchmarks/scale.py --stores 600 --days 365
	$(PY) benchmarks/photo_upload.py

clean:
	rm -rf $(VENV) *.egg-info tests/artifacts

# After changing UI text: extract, merge into ko/en catalogs, then translate ko.
# The lock is the one tools/translate.py holds: two people updating at once lose nothing.
i18n-update: $(VENV)/.stamp-install
	flock fieldapp/translations/ko/LC_MESSAGES/messages.lock sh -c '\
	  $(BIN)/pybabel extract -F babel.cfg -k _l -o fieldapp/translations/messages.pot . && \
	  $(BIN)/pybabel update --no-fuzzy-matching -i fieldapp/translations/messages.pot -d fieldapp/translations'
