#!/bin/sh
# Build isobot's wheel into OUTDIR from the sources in the current folder, exactly as the
# Dockerfile's build stage does (and `make check-image`, which checks that wheel without Docker):
# the gettext catalogs compiled into it, and the build backend taken from the environment, which
# installed it from the lock (no build isolation: nothing is downloaded, nothing floats).
# pip and pybabel are those first on PATH.
set -eu
out="${1:?usage: scripts/build-wheel.sh OUTDIR}"
pybabel compile --domain messages --directory locales
pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$out" .
