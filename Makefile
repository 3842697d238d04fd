# Newsroom: `make run` serves the demo site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
VNU_JAR := tests/html/node_modules/vnu-jar/build/dist/vnu.jar
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

# Production-like environment for make run / make serve: DEBUG off, a secret key generated once
# into var/, plain HTTP allowed on localhost, uploads served by the app, the demo users not forced into
# two-factor sign-in (production leaves NEWSROOM_REQUIRE_2FA at its default, on).
PROD_ENV = DJANGO_DEBUG=0 DJANGO_HTTPS=$${DJANGO_HTTPS:-0} NEWSROOM_SERVE_MEDIA=$${NEWSROOM_SERVE_MEDIA:-1} \
	NEWSROOM_REQUIRE_2FA=$${NEWSROOM_REQUIRE_2FA:-0} \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)}"

.PHONY: install run serve worker dev test lint format setup secret messages clean bench bench-peer backup cluster soak

install: $(INSTALLED) $(VNU_JAR)

$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $(INSTALLED)

# The W3C Nu HTML Checker that the tests run on every kind of public page (tests/nu_checker.py), at the exact
# version of tests/html/package-lock.json. --ignore-scripts: the package's install script would download a Java
# runtime; the tests use the machine's `java`. Without npm the site still runs, and those tests skip and say so.
$(VNU_JAR): tests/html/package.json tests/html/package-lock.json
	@if command -v npm >/dev/null; then \
		cd tests/html && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $(CURDIR)/$(VNU_JAR); \
	else echo "npm is not installed: the HTML checker's tests will be skipped (apt-get install npm)"; fi

# Compiles the committed .po files (ru, kk) with Babel, so no system gettext is needed.
messages: install
	$(VENV)/bin/pybabel compile --domain django --directory locale --statistics 2>&1 | tail -n 2

secret:
	@mkdir -p var
	@test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	@chmod 600 var/secret_key

setup: install secret messages
	$(PROD_ENV) $(PY) manage.py migrate --noinput
	$(PROD_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(PROD_ENV) $(PY) manage.py seed_demo --force

run: setup serve

# gunicorn and, beside it, the task worker (README, «Background work»). Ctrl+C or gunicorn's exit stops
# both: the shell waits for gunicorn, then sends the worker one SIGTERM (it lets a started job finish) and
# waits for it. The worker has a session of its own so that Ctrl+C does not signal it twice (a hard stop).
# The app logs one line per request itself (JSON, with the request id): gunicorn's access log stays off. The
# workers write their metrics under var/prometheus, emptied at each start so old workers' figures do not linger.
serve: install secret messages
	@echo "Newsroom: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@rm -rf var/prometheus && mkdir -p var/prometheus
	@$(PROD_ENV) PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/var/prometheus sh -c 'setsid $(PY) manage.py worker & worker=$$!; \
		trap "kill -TERM $$worker 2>/dev/null; wait $$worker" EXIT; trap "exit 130" INT; trap "exit 143" TERM; \
		$(VENV)/bin/gunicorn newsroom.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--forwarded-allow-ips "$${NEWSROOM_TRUSTED_PROXIES:-}"'

# The task worker alone, e.g. beside `make dev` or another app server.
worker: install secret messages
	$(PROD_ENV) $(PY) manage.py worker

dev: install messages
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# One archive of the database and the uploads into var/backups/ (README, «Backups»): `make backup`, `make backup KEEP=30`.
backup: install
	$(PY) manage.py backup $(if $(KEEP),--keep $(KEEP))

test: install messages
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The benchmark of docs/benchmarks.md, on its own databases under var/bench*: `make bench`, `make bench N=100000`,
# `make bench N=2000 DURATION=3`, `make bench SCALE=1` (adds N = 1,000 and 100,000). wrk is optional.
bench: install messages
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || \
		(apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1) || \
		echo "wrk is not available: using the Python load generator (bench/loadgen.py)"
	BENCH_COMMAND="make bench$(if $(N), N=$(N))$(if $(DURATION), DURATION=$(DURATION))$(if $(SCALE), SCALE=$(SCALE))" \
		$(PY) -m bench.run --articles $(or $(N),20000) --duration $(or $(DURATION),10) $(if $(SCALE),--scale)

# Newsroom side by side with the Wagtail peer of issue 15, set up beforehand (docs/benchmarks.md, «Side by side
# with the Wagtail peer»): `make bench-peer PEER=/tmp/wagtail-peer`, `... PEER_DB_PORT=55433` when the peer's
# PostgreSQL is not on 55432, `... DURATION=2 WARMUP=1` for a quick check. N = 2,000 articles unless N is given.
bench-peer: install messages
	$(if $(PEER),,$(error give the set-up peer: make bench-peer PEER=/tmp/wagtail-peer))
	BENCH_COMMAND="make bench-peer PEER=$(PEER)$(if $(PEER_DB_PORT), PEER_DB_PORT=$(PEER_DB_PORT))$(if $(N), N=$(N))$(if \
		$(DURATION), DURATION=$(DURATION))$(if $(WARMUP), WARMUP=$(WARMUP))" \
		$(PY) -m bench.peer --peer $(PEER) $(if $(PEER_DB_PORT),--peer-db-port $(PEER_DB_PORT)) \
		$(if $(N),--articles $(N)) $(if $(DURATION),--duration $(DURATION)) $(if $(WARMUP),--warmup $(WARMUP))

# Scaled out on loopback (README «Scaling out»): Varnish → nginx → two app servers with their task workers,
# PostgreSQL and Redis (Debian's postgresql, redis-server, nginx, varnish and varnish-modules). Ctrl+C stops all.
cluster: install messages
	$(PY) -m bench.cluster

# The cluster under readers and editors for DURATION seconds (600) while PostgreSQL, Redis, a gunicorn worker and
# an app server fail in turn; the report goes to var/soak-results/ and docs/reliability.md.
soak: install messages
	$(PY) -m bench.soak $(if $(DURATION),--duration $(DURATION))

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
