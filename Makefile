# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Exact versions, with hashes, of everything installed (make lock writes them).
LOCK := requirements/dev.txt
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
PORT ?= 8000
HOST ?= 127.0.0.1
# The embedded demo relaxes two-step staff sign-in (allowed only with DEBUG on).
TWO_FACTOR_REQUIRED ?= false
export PORT HOST

.PHONY: run test install lint typecheck check migrations-check clean backup restore security lock dead-code-whitelist

IS_311 := import sys; sys.exit(sys.version_info[:2] != (3, 11))

$(STAMP): pyproject.toml $(LOCK)
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c '$(IS_311)'; then \
	  echo "$(VENV) is not Python 3.11: making it again."; rm -rf $(VENV); fi
	@if [ ! -x $(BIN)/python ]; then \
	  $(PYTHON) -c '$(IS_311)' 2>/dev/null || { echo "This project needs Python 3.11:"\
	    "install it (python3.11 on the PATH) or run make PYTHON=/path/to/python3.11"; exit 1; }; \
	  $(PYTHON) -m venv $(VENV); fi
	$(PIP) install --require-hashes -r $(LOCK)
	$(PIP) install --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

## Start the embedded demo: web, Celery worker and beat (SQLite, filesystem broker).
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/ (staff: http://$(HOST):$(PORT)/staff/)"
	@echo "  Sign in with a demo login above. Ctrl-C stops the web server, worker and beat."
	@if [ "$(TWO_FACTOR_REQUIRED)" = "false" ]; then \
	  echo "  DEMO ONLY: two-step staff sign-in is RELAXED (TWO_FACTOR_REQUIRED=false): the"; \
	  echo "  password alone signs in. Production always asks for an authenticator code;"; \
	  echo "  try it here with: make run TWO_FACTOR_REQUIRED=true"; \
	else \
	  echo "  Two-step sign-in is ON: after the password, scan the QR code shown with an"; \
	  echo "  authenticator app and enter its code."; \
	fi
	@echo ""
	@echo "  Emails the demo sends (receipts, reminders, answers): read them at"
	@echo "  http://$(HOST):$(PORT)/staff/emails/ (also printed in the worker's output)."
	@echo ""
	@# Ctrl-C (130) or a TERM (143) is how the demo stops: not a failure.
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} PRODUCT_404_IN_DEBUG=$${PRODUCT_404_IN_DEBUG:-true} \
	  TWO_FACTOR_REQUIRED=$(TWO_FACTOR_REQUIRED) $(BIN)/honcho -f Procfile.dev start; \
	  status=$$?; [ $$status -eq 130 ] || [ $$status -eq 143 ] || exit $$status

## Run the whole test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL).
test: $(STAMP)
	$(BIN)/pytest -n $${TEST_WORKERS:-auto} --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/vulture

# What vulture cannot see used (Django, Celery and templates use it by name), written
# anew; review the diff: code nothing uses is deleted, not whitelisted.
dead-code-whitelist: $(STAMP)
	$(BIN)/vulture $$(sed -n 's/^paths = \[\(.*\)\]/\1/p' pyproject.toml | tr -d '",' \
	  | sed 's/vulture_whitelist.py//') --make-whitelist > vulture_whitelist.py || true

typecheck: $(STAMP)
	$(BIN)/mypy .

migrations-check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

check: lint migrations-check test

## Security checks: bandit, and Django's deployment checklist on production settings.
security: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r . -q
	DJANGO_SETTINGS_MODULE=config.settings.production \
	  DJANGO_ALLOWED_HOSTS=social.city.example.gov \
	  DATABASE_URL=postgres://city@db.internal:5432/citysocial \
	  REDIS_URL=redis://cache.internal:6379/0 \
	  DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  AUDIT_HMAC_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

## Back up the database and uploaded files: make backup [TO=folder] (default var/backups/<time>).
backup: $(STAMP)
	$(BIN)/python manage.py backup $(if $(TO),--to "$(TO)")

## Put a backup back (asks first; NOINPUT=1 does not): make restore FROM=var/backups/<time>
restore: $(STAMP)
	@test -n "$(FROM)" || { echo "Usage: make restore FROM=var/backups/<time>" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(FROM)" $(if $(NOINPUT),--noinput)

## Write the lock files again from pyproject.toml (after changing a dependency).
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o requirements/base.txt pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) var
