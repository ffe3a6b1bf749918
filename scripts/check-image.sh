#!/usr/bin/env bash
# `make check-image`: what the Dockerfile builds, checked without a Docker engine (CI has none).
#   1. a clean virtual environment with requirements.lock, as the image's first stage;
#   2. the wheel, built by scripts/build-wheel.sh from exactly the paths the Dockerfile's build
#      stage COPYs, with that environment's build backend;
#   3. the wheel installed into it without dependencies, then `pip check`;
#   4. in an empty folder and an empty environment, as in the container: `isobot --help`,
#      `isobot db upgrade`, `isobot simulate` (in Vietnamese: the catalogs are in the wheel) and
#      `isobot backup`.
# Prints the environment's size and the install time. PYTHON picks the interpreter (python3).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="$work/venv" src="$work/src" run="$work/run"

started=$SECONDS
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
echo "check-image: requirements.lock installed in $((SECONDS - started)) s"

# The build stage's COPY sources (each is copied to the same relative place).
mapfile -t sources < <(awk '/^FROM .* AS build$/ {stage = 1; next} /^FROM / {stage = 0}
  stage && /^COPY / && !/--from/ {for (i = 2; i < NF; i++) print $i}' Dockerfile)
[ ${#sources[@]} -gt 0 ] || { echo "check-image: no COPY in the Dockerfile's build stage" >&2; exit 1; }
mkdir -p "$src"
cp -r --parents "${sources[@]}" "$src"
rm -f "$src"/locales/*/LC_MESSAGES/*.mo  # the build compiles them; none may come from here
(cd "$src" && PATH="$venv/bin:$PATH" scripts/build-wheel.sh "$work/wheels")
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$work"/wheels/*.whl
"$venv/bin/pip" check
echo "check-image: the environment holds $(du -sm "$venv" | cut -f1) MB"

mkdir -p "$run/data"  # isobot refuses a database in a folder that does not exist
in_image() {
  (cd "$run" && env -i PATH="$venv/bin:/usr/bin:/bin" HOME="$run" LANG=C.UTF-8 \
     DATABASE_URL="sqlite:///$run/data/isobot.sqlite3" ISOBOT_NOW=2026-12-01T07:00 "$@")
}
in_image isobot --help > "$work/help.txt"
grep -q "simulate" "$work/help.txt"
in_image isobot db upgrade
in_image isobot simulate --from 2026-12-01 --to 2026-12-07 > "$work/simulate.txt"
tail -n 1 "$work/simulate.txt"
grep -q "tin nhắn" "$work/simulate.txt" || {
  echo "check-image: simulate did not speak Vietnamese (catalogs missing from the wheel?)" >&2
  exit 1
}
in_image isobot backup --out "$run/backup.sqlite3"
echo "check-image: OK"
