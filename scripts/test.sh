#!/usr/bin/env bash
# Install cnsl with its test extras and run every check: lint, types, the whole test suite.
. "$(dirname "$0")/venv.sh" test
. scripts/test-deps.sh
ruff check .
ruff format --check .
mypy
pytest -n 2 "$@"
