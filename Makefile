# Two entry points: `make demo` and `make test`. Both install what is missing, and only that.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := libvoikko1 voikko-fi
# the install stamp changes whenever pyproject.toml does, so dependency edits reinstall
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
MODELS := models/e5-small/avovastaus-model.json models/static-fi/avovastaus-model.json

.PHONY: demo test bench install system models clean

demo: install $(MODELS)
	$(BIN)/avovastaus run corpora/kuntajarjesto/answers.csv --id vastaaja_id \
		--text yhteistyo_nyt --text kehittaminen --group vastaajaryhma --group alue \
		--stability 5 --out runs/kuntajarjesto --force

test: install $(MODELS)
	$(BIN)/python -m pytest -q

bench: install $(MODELS)
	$(BIN)/pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/run_all.py

install: system $(STAMP)

system:
	@if dpkg-query -W -f='$${Status}\n' $(SYSTEM_PACKAGES) 2>/dev/null | grep -qv 'install ok installed' \
		|| ! dpkg-query -W $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages: $(SYSTEM_PACKAGES)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
		else \
			echo "Missing Debian packages: $(SYSTEM_PACKAGES)"; \
			echo "Install them as root: sudo apt-get install -y $(SYSTEM_PACKAGES)   then run make again."; \
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
