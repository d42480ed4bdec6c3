# Set-up and checks on a fresh machine (needs only python3, pip and make).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast check-wheel bench install clean

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

check-wheel: install  ## the demo from the built wheel, in a fresh venv, run from another folder
	rm -rf build dist
	$(BIN)/python -m pip wheel . --no-deps --quiet --wheel-dir dist
	rm -rf build
	$(PYTHON) -m venv dist/venv
	dist/venv/bin/python -m pip install --quiet "$$(ls dist/pytest_awshealth-*.whl)[emulator]"
	cd "$$(mktemp -d)" && $(CURDIR)/dist/venv/bin/awshealth demo -q > $(CURDIR)/dist/demo.log \
		|| { cat $(CURDIR)/dist/demo.log; exit 1; }
	cd "$$(mktemp -d)" && { $(CURDIR)/dist/venv/bin/awshealth demo -q --example thera_pipeline \
		--break health_gate > $(CURDIR)/dist/demo-break.log; test $$? -eq 1; } \
		|| { cat $(CURDIR)/dist/demo-break.log; exit 1; }
	@echo "check-wheel: awshealth demo from the wheel: healthy exit 0, a break exit 1"

bench: install  ## timing and AWS-call counts of the example gates
	$(BIN)/python benchmarks/bench_gate.py

clean:
	rm -rf $(VENV) build dist *.egg-info
