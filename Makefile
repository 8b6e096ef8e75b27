# Waardevol: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
MANAGE = $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The address `make run` prints: 0.0.0.0 (every interface) is no address a browser opens.
URL = http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
# Tests run with DEBUG off (as production) and a throwaway key.
TEST_ENV = SECRET_KEY=insecure-test-only-key DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=testserver,localhost,127.0.0.1

.PHONY: install system-packages system-packages-test run worker test bench lint messages clean

# Debian packages (WeasyPrint's libraries, fonts; for tests also qpdf, Chromium, Java, wrk).
system-packages:
	@.ci/system-packages run
system-packages-test:
	@.ci/system-packages test

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

locale/en/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po $(BIN)/.installed
	DEBUG=1 $(MANAGE) compilemessages --locale en --ignore '.venv*' --ignore node_modules -v 0

# Only a few Django admin texts its own Dutch catalogue lacks (see the file).
locale/nl/LC_MESSAGES/django.mo: locale/nl/LC_MESSAGES/django.po $(BIN)/.installed
	DEBUG=1 $(MANAGE) compilemessages --locale nl --ignore '.venv*' --ignore node_modules -v 0

messages: $(BIN)/.installed
	DEBUG=1 $(MANAGE) makemessages --locale en --no-obsolete --ignore '.venv*' \
		--ignore node_modules --ignore staticfiles --ignore tests

install: $(BIN)/.installed node_modules/.installed locale/en/LC_MESSAGES/django.mo \
	locale/nl/LC_MESSAGES/django.mo

run: system-packages install
	DEBUG=1 $(MANAGE) migrate --noinput -v 0
	DEBUG=1 $(MANAGE) load_content
	DEBUG=1 $(MANAGE) seed_demo --address $(URL)
	@echo "Waardevol runs at $(URL)/ (Ctrl+C to stop)"
	@# The development server answers for HOST, 127.0.0.1, localhost and any ALLOWED_HOSTS
	@# given (the name a browser on another machine uses with HOST=0.0.0.0).
	DEBUG=1 ALLOWED_HOSTS='$(HOST),127.0.0.1,localhost,$(ALLOWED_HOSTS)' SITE_URL=$(URL) \
		$(MANAGE) runserver $(HOST):$(PORT)

# With TASKS_BACKEND=django_tasks_db.DatabaseBackend: runs the queued tasks (e-mail, PDF reports).
worker: install
	$(MANAGE) db_worker

test: system-packages-test install
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: system-packages-test install
	$(TEST_ENV) $(BIN)/python -m tests.benchmarks

lint: install
	$(BIN)/ruff check .
	SECRET_KEY=lint $(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules staticfiles .cache db.sqlite3* locale/*/LC_MESSAGES/django.mo
