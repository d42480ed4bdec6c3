# Set-up and checks on a fresh machine (needs only python3, pip and make).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# bytecode kept, also under PYTHONDONTWRITEBYTECODE: the ~100 processes the tests start
# import the same package, examples and rewritten test modules
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

.PHONY: demo test test-fast check-wheel bench install clean

$(BIN)/awshealth: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/awshealth

demo: install  ## the Mantissa Log gate against the embedded emulator
	$(BIN)/awshealth demo $(ARGS)

test: install  ## the plugin's own tests (3 workers on 2 cores fill the waits; worksteal: an idle worker takes half of another's queue)
	$(PYTEST) -n 3 --dist worksteal $(ARGS)

test-fast: install  ## the unit loop: every test that needs no emulator and no xdist workers, serially
	$(PYTEST) -p no:xdist -q -m "not emulator and not xdist" $(ARGS)

check-wheel: install  ## the demo from the built wheel, in a fresh venv outside the checkout
	rm -rf build dist
	$(BIN)/python -m pip wheel . --no-deps --quiet --wheel-dir dist
	rm -rf build
	wheel="$(CURDIR)/$$(ls dist/pytest_awshealth-*.whl)" && venv="$$(mktemp -d)/venv" && \
	$(PYTHON) -m venv "$$venv" && "$$venv/bin/python" -m pip install --quiet "$$wheel[emulator]" && \
	cd "$$(mktemp -d)" && \
	{ "$$venv/bin/awshealth" demo -q > demo.log || { cat demo.log; exit 1; }; } && \
	{ "$$venv/bin/awshealth" demo -q --example thera_pipeline --break health_gate > break.log; \
	  test $$? -eq 1 || { cat break.log; exit 1; }; } && rm -rf "$$venv"
	@echo "check-wheel: awshealth demo from the wheel: healthy exit 0, a break exit 1"

bench: install  ## timing and AWS-call counts of the example gates
	$(BIN)/python benchmarks/bench_gate.py

clean:
	rm -rf $(VENV) build dist *.egg-info
