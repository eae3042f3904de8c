# The two commands a new user needs: `make run` and `make test`. Everything else they call is below.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_ENV := DJANGO_SETTINGS_MODULE=config.settings.test \
	DATABASE_URL=$${DATABASE_URL:-postgres://root@127.0.0.1:5432/crm} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0}

.PHONY: run test install install-dev messages lint format screenshots

run: install messages ## Install, migrate SQLite, load demo data, start web + worker + beat (Ctrl-C stops all)
	sh devtools/ensure_print.sh
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_reviews
	$(BIN)/python manage.py seed_demo_retention
	$(BIN)/python manage.py seed_demo_cases
	$(BIN)/python manage.py seed_demo_letters
	$(BIN)/python manage.py seed_demo_logistics
	$(BIN)/python manage.py seed_demo_callbacks
	@# Beat's first roll-up comes five minutes in; the demo's report should show figures at once.
	$(BIN)/python manage.py refresh_rollups
	$(BIN)/python -m devtools.run_embedded

test: install-dev messages ## Lint, migration check and the whole suite against real PostgreSQL and Redis
	sh devtools/ensure_print.sh
	sh devtools/ensure_browser.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# Against an in-memory SQLite: the check needs no server, and the suite's database does not exist yet.
	$(TEST_ENV) DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	@# Django's deployment checklist under production settings (a throwaway key and host: it connects to nothing).
	DJANGO_SETTINGS_MODULE=config.settings.production DATABASE_URL=sqlite:///:memory: ALLOWED_HOSTS=crm.example.com \
	  SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING
	@# pytest exits 5 when it collected nothing: for this project that is a broken suite, not a pass.
	$(TEST_ENV) $(BIN)/python -m pytest; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: treating as a failure" >&2; exit 1; fi; exit $$rc

$(BIN)/python:
	sh devtools/bootstrap_venv.sh "$(PYTHON)" "$(VENV)"

install: $(VENV)/.runtime-installed
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install-dev: $(VENV)/.dev-installed
$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

messages: install ## Compile translation catalogs (no GNU gettext needed)
	$(BIN)/python -m devtools.compile_messages

screenshots: install-dev messages ## Refresh the committed pictures in docs/screenshots/ from the browser tests
	$(TEST_ENV) SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest tests/e2e

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
