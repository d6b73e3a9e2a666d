# `make demo` sets up .venv and runs one ingest pass against the built-in agency mirror (no servers).
# `make test` sets up .venv, lints (ruff) and type-checks (mypy) parsers/ storage/ worker/, then runs the
# whole test suite (needs Redis and PostgreSQL on 127.0.0.1).
PY ?= $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' 2>/dev/null && echo python3.12 || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12 2>/dev/null | head -n1)
VENV := .venv
STAMP := $(VENV)/.installed
PYWB_STAMP := .venv-pywb/.installed

.PHONY: demo test lint bench setup clean

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "python3.12 not found (needed by hazm 0.12)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,bench,postgres,parquet,flower]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/bayegan ingest --mirror

test: $(STAMP) $(PYWB_STAMP)
	$(VENV)/bin/ruff check parsers storage worker
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check parsers storage worker
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .venv-pywb archive

# pywb and wacz pin old redis/brotlipy: they get their own venv, used by tests/replay (real pywb replay,
# `wacz validate`). `make test` builds it, so CI replays for real.
$(PYWB_STAMP):
	python3 -m venv .venv-pywb
	.venv-pywb/bin/pip install -q "pywb>=2.9,<2.11" "wacz>=0.5"
	touch $(PYWB_STAMP)
replay-venv: $(PYWB_STAMP)
.PHONY: replay-venv
