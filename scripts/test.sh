#!/usr/bin/env bash
# Installs the library with every extra and the development tools (the "dev" dependency
# group, which needs pip 25.1 or newer) into .venv and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade "pip>=25.1"
.venv/bin/python -m pip install --quiet -e ".[all]" --group dev
.venv/bin/python -m pytest --cov --cov-report=term:skip-covered "$@"
