# `make run` and `make test` each do all set-up on a fresh machine, then run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup browser lint format bench i18n clean

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

# The browser test needs Chromium (Debian's package) and a CJK font; where they cannot be
# installed (no root, no apt) the test is skipped with a message saying so.
browser:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } \
	  || echo "note: could not install chromium; the browser test will be skipped"

test: setup browser
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
