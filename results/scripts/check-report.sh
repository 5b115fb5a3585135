#!/usr/bin/env bash
# Renders the HTML report of a fixture store in headless Chromium and fails unless the screenshot
# shows the page with its charts drawn.
#
# Usage: results/scripts/check-report.sh [OUT_DIR]   (default: a new temporary directory)
#
# Builds nothing and fetches nothing: it needs a built tree (`mvn -B verify`, or `mvn -B package`
# with tests skipped but compiled) for the electionbench jar and the results module's test classes
# (the fixture writer), and Chromium on PATH (Debian: `apt-get install --no-install-recommends
# chromium`; .ci/run installs it). ELECTIONBENCH_JAR and CHROMIUM override the jar and browser.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
jar="${ELECTIONBENCH_JAR:-$repo/loadgen/target/electionbench.jar}"
fixtures="$repo/results/target/test-classes"

fail() {
    echo "check-report: FAIL: $*" >&2
    exit 1
}

[ -f "$jar" ] || fail "no jar at $jar; build first: mvn -B verify"
[ -f "$fixtures/io/electionbench/results/ReportFixtureMain.class" ] \
    || fail "no fixture writer in $fixtures; build first: mvn -B verify"
browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$browser" ] || fail "no chromium on PATH; install it: apt-get install -y --no-install-recommends chromium"

store="$out/store"
rm -rf "$store" "$out/report.html" "$out/report.png"
java -cp "$fixtures:$jar" io.electionbench.results.ReportFixtureMain "$store"
java -jar "$jar" report --root "$store" --out "$out/report.html"

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
status=0
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot="$out/report.png" --window-size=1400,2000 \
    "file://$out/report.html" >"$out/chromium.log" 2>&1 || status=$?

if ! java "$here/PngCheck.java" "$out/report.png"; then
    echo "check-report: $browser exited with $status; the end of its log ($out/chromium.log):" >&2
    tail -n 30 "$out/chromium.log" >&2
    fail "the report did not render; see $out/report.html"
fi
echo "check-report: ok: $out/report.html, $out/report.png"
