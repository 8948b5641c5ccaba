#!/usr/bin/env bash
# Renders the HTML report of samples/ and screenshots it in headless Chromium at a
# desktop and a phone width, to look at what people will see. Installs Debian's
# chromium when it is missing. Usage: tests/screenshot-html.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/screenshots}"
mkdir -p "$out"
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
SOURCE_DATE_EPOCH=1795305600 cargo run --release -q -- analyze samples/ --format html -o "$out/report.html"
for spec in desktop:1200,2400 phone:412,2400; do
  name="${spec%%:*}"; size="${spec#*:}"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --window-size="$size" \
    --screenshot="$out/report-$name.png" "file://$PWD/$out/report.html" 2>/dev/null
  echo "$out/report-$name.png"
done
