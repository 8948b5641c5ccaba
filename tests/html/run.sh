#!/usr/bin/env bash
# The HTML report in a real browser: renders samples/ (and once with --compare)
# and drives headless Chromium through chromedriver (tests/html/check.py, Python's
# standard library only) at 1280x900 and 412x900: tiles, actions and timeline
# visible, no sideways scroll on a phone, sortable tables, the dark palette.
# Installs Debian's chromium and chromium-driver when missing; skips (exit 0)
# only when they are missing and apt-get is not there to install them.
# Screenshots go to target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if ! command -v apt-get >/dev/null; then
    echo "tests/html: skipped: chromium or chromedriver missing and no apt-get to install them"
    exit 0
  fi
  echo "== installing chromium and chromium-driver"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

cargo build -q
bin="${CARGO_TARGET_DIR:-target}/debug/errlens"
out=target/screenshots
mkdir -p "$out"
export SOURCE_DATE_EPOCH=1795305600
"$bin" analyze samples/ --format html -o "$out/report.html"
"$bin" analyze samples/ --compare samples/aliases.jsonl --format html -o "$out/compare.html"
python3 tests/html/check.py "$out/report.html" "$out/compare.html" "$out"
