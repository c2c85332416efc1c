# Two entry points for people and CI: `make serve` runs the CSMS, `make test` runs the suite.
# Both create a virtual environment from pyproject.toml on first use.
VENV ?= .venv
PYTHON ?= python3

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

.PHONY: install serve test
install: $(VENV)/.installed

serve: $(VENV)/.installed
	$(VENV)/bin/chargeledger serve $(ARGS)

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest $(ARGS)
