#!/usr/bin/env bash
# Renders the HTML report of a fixture store in headless Chromium and fails unless the page's script
# drew every plot (checked in the DOM after the script ran) and the screenshot shows them.
#
# Usage: results/scripts/check-report.sh [OUT_DIR]   (default: a new temporary directory)
#
# Builds nothing and fetches nothing: it needs a built tree (`mvn -B verify`, or `mvn -B package`
# with tests skipped but compiled) for the electionbench jar and the results module's test classes
# (the fixture writer), and Chromium on PATH (Debian: `apt-get install --no-install-recommends
# chromium`; .ci/run installs it). ELECTIONBENCH_JAR and CHROMIUM override the jar and browser.
# The screenshot is also copied to results/target/report-screenshot.png, which CI keeps.
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
rm -rf "$store" "$out/report.html" "$out/report.png" "$out/report-dom.html"
java -cp "$fixtures:$jar" io.electionbench.results.ReportFixtureMain "$store"
java -jar "$jar" report --root "$store" --out "$out/report.html"

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# --virtual-time-budget lets the page's script run to the end before the DOM is dumped or the
# screenshot taken; without it Chromium may capture the page before uPlot has drawn anything.
chromium_run() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --virtual-time-budget=10000 "$@" "file://$out/report.html"
}
show_log() {
    echo "check-report: the end of Chromium's log ($out/chromium.log):" >&2
    tail -n 30 "$out/chromium.log" >&2
}

status=0
chromium_run --dump-dom >"$out/report-dom.html" 2>"$out/chromium.log" || status=$?
expected="$(grep -o '<body data-plots="[0-9]*"' "$out/report.html" | grep -o '[0-9]*' || true)"
drawn="$(grep -o 'data-plots-drawn="[0-9]*"' "$out/report-dom.html" | grep -o '[0-9]*' || true)"
errors="$(grep -o 'data-plot-errors="[0-9]*"' "$out/report-dom.html" | grep -o '[0-9]*' || true)"
charts="$({ grep -o 'class="uplot[ "]' "$out/report-dom.html" || true; } | wc -l)"
canvases="$({ grep -o '<canvas' "$out/report-dom.html" || true; } | wc -l)"
echo "check-report: $expected plots in the page; in the DOM: drawn=${drawn:-none} errors=${errors:-none}" \
    "uplot=$charts canvas=$canvases"
if [ -z "$expected" ] || [ "$expected" -eq 0 ]; then
    fail "the report embeds no plots; see $out/report.html"
fi
if [ "${drawn:-}" != "$expected" ] || [ "${errors:-}" != "0" ] || [ "$charts" -ne "$expected" ] \
    || [ "$canvases" -ne "$expected" ]; then
    echo "check-report: $browser exited with $status" >&2
    show_log
    fail "the page's script did not draw every plot; see $out/report-dom.html"
fi

status=0
chromium_run --screenshot="$out/report.png" --window-size=1400,2600 >>"$out/chromium.log" 2>&1 || status=$?
if ! java "$here/PngCheck.java" "$out/report.png"; then
    echo "check-report: $browser exited with $status" >&2
    show_log
    fail "the report did not render; see $out/report.html"
fi
mkdir -p "$repo/results/target"
cp "$out/report.png" "$repo/results/target/report-screenshot.png"
echo "check-report: ok: $out/report.html, $out/report.png, $repo/results/target/report-screenshot.png"
