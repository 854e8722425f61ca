# Open360: `make run` serves the product with demo data; `make test` runs every test.
# Needs only Python 3.11, Node.js and make. Installs go into .venv/ and node_modules/ (never committed).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install lock lint migrate demo browsers servers clean mutation

# Beside another copy: PORT=5001 make run (links in mail follow PORT; the mail capture port is picked free when its
# default, 8025, is taken, or set it with OUTBOX_SMTP_PORT).
run: install migrate demo
	$(FLASK) serve --host $(HOST) --port $(PORT)

# Every test on the embedded defaults (SQLite, in-process queue), then again on the production stack: a real
# PostgreSQL and Redis that tests/servers.py starts on loopback, and the aiosmtpd server the tests always use.
test: install browsers servers
	$(VENV)/bin/ruff check .
	OPEN360_ENV=test $(PY) -m pytest
	OPEN360_ENV=test $(PY) -m tests.servers $(PY) -m pytest --ignore=tests/browser

install: $(VENV)/.installed node_modules/.installed

# constraints.txt pins every Python package at the version tested, so two installs a week apart are the same.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

# After changing a dependency in pyproject.toml (or to take newer versions): install, test, then write the pins.
lock: install
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade -e '.[test]'
	{ echo "# Every Python package Open360 installs, pinned (make lock rewrites this file; make install uses it)."; \
	  $(PY) -m pip freeze --exclude-editable --disable-pip-version-check; } > constraints.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) demo load

# Browser tests drive Debian's Chromium (never a downloaded browser); install it when missing.
browsers:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); }

# PostgreSQL and Redis come from Debian's packages; install them when missing (nothing is left running).
servers:
	@{ ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1; } || { \
	  echo "Installing Debian's postgresql and redis-server for the production-stack tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null) \
	  || (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null); }

# Mutation testing of the rules and guards (bench/mutation.py; slow, so not part of `make test`): the score per
# module and every surviving mutant. One process by default; MUTATION_CHILDREN=2 for two.
mutation: install
	$(PY) -m pip install --quiet --disable-pip-version-check mutmut==3.8.1
	$(PY) bench/mutation.py

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache mutants
