# The two commands a newcomer needs:
#   make run    set everything up (venv, pip install, poppler) and open the app
#   make test   set up the test tools (Xvfb, pytest, vLLM CPU server venv) and run every test
.PHONY: run test lint bench screenshots clean

VENV := .venv
PY := $(VENV)/bin/python

run:
	scripts/setup.sh app
	$(VENV)/bin/ocr-desktop

test:
	scripts/setup.sh test
	scripts/run_tests.sh

lint:
	$(VENV)/bin/ruff check ocr_desktop tests scripts
	$(VENV)/bin/ruff format --check ocr_desktop tests scripts
	$(VENV)/bin/mypy

screenshots:
	scripts/screenshot.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
