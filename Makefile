# `make run` and `make test` each do all set-up on a fresh machine, then run.
#
# Installs are exact: .venv holds precisely what requirements.lock pins (every package, direct and
# transitive, hash-checked, wheels only). The venv is rebuilt from nothing whenever the lock or
# pyproject.toml changes; `make lock` is the only way a version changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
LOCK := requirements.lock

.PHONY: run test setup browser lint typecheck format bench i18n lock clean

$(STAMP): $(LOCK) pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes --only-binary=:all: --no-deps -r $(LOCK)
	$(PIP) install --quiet --no-deps --no-build-isolation --no-index -e .
	$(PIP) check
	touch $(STAMP)

setup: $(STAMP)
	$(PY) -m bot.i18n compile

run: setup
	$(PY) -m bot migrate
	$(PY) -m bot run

# The browser test needs Chromium (Debian's package), a CJK font and an emoji font; the certificate
# test rasterises PDFs with poppler-utils (pdftoppm, pdffonts). Where they cannot be installed (no
# root, no apt) those tests are skipped with a message saying so.
BROWSER_PACKAGES := chromium fonts-noto-cjk fonts-noto-color-emoji poppler-utils
browser:
	@dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; } \
	  || echo "note: could not install $(BROWSER_PACKAGES); the browser test may be skipped"

# Tests run on three workers (most of a test waits for the emulator), then the few that measure
# rates or real time run alone (marked serial).
test: setup browser
	$(PY) -m bot.i18n check
	$(PY) -m ruff check bot tests bench
	$(PY) -m mypy
	$(PY) -m pytest -q -p no:cacheprovider -n 3 -m "not serial"
	$(PY) -m pytest -q -p no:cacheprovider -m serial

typecheck: setup
	$(PY) -m mypy

lint: setup
	$(PY) -m ruff check bot tests bench
	$(PY) -m ruff format --check bot tests bench
	$(PY) -m mypy

format: setup
	$(PY) -m ruff format bot tests bench
	$(PY) -m ruff check --fix bot tests bench

bench: setup
	$(PY) -m bench

i18n: setup
	$(PY) -m bot.i18n update
	$(PY) -m bot.i18n compile

# Re-resolve the lock from pyproject.toml's ranges, keeping every pinned version that still fits.
# `make lock UPGRADE=babel` moves one package to its newest allowed release; `make lock UPGRADE=all`
# moves everything. Commit the new lock on its own.
LOCK_UPGRADE = $(if $(UPGRADE),$(if $(filter all,$(UPGRADE)),--upgrade,$(addprefix --upgrade-package ,$(UPGRADE))))
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --generate-hashes --no-header --no-annotate \
	  --python-version 3.11 $(LOCK_UPGRADE) --output-file $(LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache locales/*/LC_MESSAGES/*.mo
