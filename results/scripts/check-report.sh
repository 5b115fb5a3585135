#!/usr/bin/env bash
# Renders the HTML report of a fixture store in headless Chromium and fails when the screenshot
# is missing or blank. Usage: results/scripts/check-report.sh [OUT_DIR]   (default: a temp dir)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "check-report: installing chromium" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    browser="$(command -v chromium)"
fi

cd "$repo"
mvn -q -B -pl results test-compile dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >/dev/null
cp="results/target/test-classes:results/target/classes:$(cat "$out/cp.txt")"

store="$out/store"
rm -rf "$store"
java -cp "$cp" io.electionbench.results.ReportFixtureMain "$store"
java -cp "$cp" io.electionbench.results.cli.ResultsMain report --root "$store" --out "$out/report.html"

rm -f "$out/report.png"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --screenshot="$out/report.png" --window-size=1400,2000 \
    "file://$out/report.html" >/dev/null 2>&1 || true

java "$here/PngCheck.java" "$out/report.png"
echo "check-report: ok: $out/report.html, $out/report.png"
