# Set-up and checks on a fresh machine (needs only python3, pip and make).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast bench install clean

$(BIN)/awshealth: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/awshealth

demo: install  ## the Mantissa Log gate against the embedded emulator
	$(BIN)/awshealth demo $(ARGS)

test: install  ## the plugin's own tests
	$(BIN)/python -m pytest -n 2 $(ARGS)

test-fast: install  ## the unit loop: every test that needs no emulator, serially
	$(BIN)/python -m pytest -p no:xdist -q -m "not emulator" $(ARGS)

bench: install  ## timing and AWS-call counts of the example gates
	$(BIN)/python benchmarks/bench_gate.py

clean:
	rm -rf $(VENV) build *.egg-info
