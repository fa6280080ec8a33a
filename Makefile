# django-gigq development tasks. The two to know: `make demo` and `make test`.
SHELL := /bin/bash
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
RUFF := $(VENV)/bin/ruff
LINT_PATHS := django_gigq tests example_project
DEMO_ADDR := 127.0.0.1:8000
DOCS_ADDR := 127.0.0.1:8001
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv test demo bench lint format docs docs-serve clean distclean

help:
	@echo "make demo   run the example project: migrate, a sample workflow, a worker, the admin"
	@echo "make test   run the test suite on SQLite, and on PostgreSQL / MariaDB when they answer"
	@echo "make lint   ruff check and ruff format --check    make format   apply ruff format"
	@echo "make venv   create .venv with the test extra        make clean    remove build files"
	@echo "make docs   build the documentation into site/        make docs-serve  serve it, live"
	@echo "GIGQ_CHAOS=full make test ARGS=tests/chaos   the long chaos and load runs (docs/reliability.md)"
	@echo "make bench  the benchmarks on PostgreSQL (ARGS=\"--full\", ARGS=\"--db sqlite\")"

venv: $(VENV)/.installed

# Rebuilt when pyproject.toml changes. scripts/find-python picks the interpreter
# (PYTHON=/path/to/python overrides it).
$(VENV)/.installed: pyproject.toml
	@if [ ! -x $(PY) ]; then \
	    python=$$(scripts/find-python) || exit 1; \
	    echo "Creating .venv with $$python"; \
	    "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# Arguments for pytest: make test ARGS="-k claim -x"
test: venv
	scripts/run-tests $(ARGS)

demo: venv
	cd example_project && $(PY) manage.py migrate
	cd example_project && $(PY) manage.py ensure_admin
	cd example_project && $(PY) manage.py demo_workflow
	@set -e; cd example_project; \
	$(PY) manage.py gigq_worker -v 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	echo; \
	echo "Admin: http://$(DEMO_ADDR)/admin/  (user: admin, password: admin)"; \
	echo "Demo:  http://$(DEMO_ADDR)/  (a form, a post_save job, a django.tasks task, a workflow)"; \
	echo "Stop with Ctrl-C (stops the worker too)."; \
	echo; \
	$(PY) manage.py runserver $(DEMO_ADDR) --noreload

# The benchmarks (benchmarks/run.py): quick sizes by default, ARGS="--full" for the real run.
bench: venv
	$(PY) -m benchmarks.run $(ARGS)

# The documentation: MkDocs (Material) with the docs extra. Its examples are tested by
# tests/test_docs_examples.py (part of make test).
$(VENV)/.docs-installed: pyproject.toml | $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[docs]'
	@touch $@

docs: $(VENV)/.docs-installed
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site
	$(PY) scripts/check_site_links.py site

docs-serve: $(VENV)/.docs-installed
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve --dev-addr $(DOCS_ADDR)

$(RUFF): | $(VENV)/.installed
	$(PY) -m pip install --quiet ruff

lint: $(RUFF)
	$(RUFF) check $(LINT_PATHS)
	$(RUFF) format --check $(LINT_PATHS)

format: $(RUFF)
	$(RUFF) check --fix $(LINT_PATHS)
	$(RUFF) format $(LINT_PATHS)

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache site test-artifacts .tox
	rm -f example_project/db.sqlite3 example_project/db.sqlite3-wal example_project/db.sqlite3-shm
	find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
