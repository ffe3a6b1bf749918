#!/usr/bin/env bash
# Refresh the dependency locks from pyproject.toml (`make lock`; `make lock ARGS=--upgrade` moves
# every pin to the newest release, `ARGS="--upgrade-package holidays"` just one).
#
#   requirements-dev.lock  what `make setup` and CI install: the runtime, the dev tools, and the
#                          build backend (so `pip install --no-build-isolation` needs nothing else)
#   requirements.lock      what the Docker image installs: the runtime and the build backend,
#                          at exactly the versions of the dev lock (resolved under it as constraints)
#
# Both are universal (environment markers instead of one machine's answer) and carry the sha256 of
# every file PyPI serves for each pinned version, so `pip install --require-hashes -r` installs
# the same bytes on a laptop, in CI and in the image. Only `make lock` needs uv; installing needs pip.
set -euo pipefail
cd "$(dirname "$0")/.."
uv="${UV:-.venv/bin/uv}"
python="${PYTHON:-.venv/bin/python}"
common=(--universal --python-version 3.11 --generate-hashes --quiet
        --custom-compile-command "make lock")
# The build backend exactly as pyproject.toml's [build-system] names it (one list, not two),
# given on standard input so the lock's "via" notes name no temporary file.
build_requires() {
  "$python" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))'
}
build_requires | "$uv" pip compile "${common[@]}" "$@" --extra dev pyproject.toml - \
  -o requirements-dev.lock
build_requires | "$uv" pip compile "${common[@]}" pyproject.toml - -c requirements-dev.lock \
  -o requirements.lock
