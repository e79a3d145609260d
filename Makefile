# Two entry points: `make demo` and `make test`. Both install what is missing, and only that.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := libvoikko1 voikko-fi chromium chromium-driver
# the tests also print summary.xlsx to PDF with LibreOffice (about a minute to install; `make demo` does not need it)
TEST_PACKAGES := libreoffice-calc-nogui
# the install stamp changes whenever pyproject.toml does, so dependency edits reinstall
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
MODELS := models/e5-small/avovastaus-model.json models/static-fi/avovastaus-model.json

.PHONY: demo test test-extras bench golden install system models clean

demo: install $(MODELS)
	$(BIN)/avovastaus run corpora/kuntajarjesto/answers.csv --id vastaaja_id \
		--text yhteistyo_nyt --text kehittaminen --group vastaajaryhma --group alue \
		--stability 5 --out runs/kuntajarjesto --force

test: install test-extras $(MODELS)
	$(BIN)/python -m pytest -q

# optional: without LibreOffice (or without root to install it) its one test skips; never a failure here
test-extras:
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages for the tests: $$missing"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
				|| echo "Could not install $$missing; the LibreOffice print test will skip"; \
		else \
			echo "Optional for the tests: sudo apt-get install -y --no-install-recommends $$missing (the LibreOffice print test skips without it)"; \
		fi; \
	fi

bench: install $(MODELS)
	$(BIN)/pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/run_all.py

install: system $(STAMP)

system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Missing Debian packages: $$missing"; \
			echo "Install them as root, then run make again:  sudo apt-get install -y $$missing"; \
			exit 1; \
		fi; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	rm -f $(VENV)/.installed-*
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

models/%/avovastaus-model.json: | $(STAMP)
	$(BIN)/avovastaus models build $*

clean:
	rm -rf $(VENV) models/e5-small models/static-fi runs

# refresh the golden regression expectations (tests/regression), then review `git diff`
golden: install $(MODELS)
	AVOVASTAUS_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/regression
