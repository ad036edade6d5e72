# `make run` and `make test` each do all set-up on a fresh machine, then run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup lint format bench i18n clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)
	$(PY) -m bot.i18n compile

run: setup
	$(PY) -m bot migrate
	$(PY) -m bot run

test: setup
	$(PY) -m bot.i18n check
	$(PY) -m ruff check bot tests bench
	$(PY) -m pytest -q

lint: setup
	$(PY) -m ruff check bot tests bench
	$(PY) -m ruff format --check bot tests bench

format: setup
	$(PY) -m ruff format bot tests bench
	$(PY) -m ruff check --fix bot tests bench

bench: setup
	$(PY) -m bench

i18n: setup
	$(PY) -m bot.i18n update
	$(PY) -m bot.i18n compile

clean:
	rm -rf $(VENV) .pytest_cache locales/*/LC_MESSAGES/*.mo
