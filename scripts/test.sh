#!/usr/bin/env bash
# Builds the solution, runs every test project, then the F# properties (an Expecto program, which dotnet test
# does not run); scripts/check-results.sh then checks the results (each project's minimum count in
# tests/minimum-counts, no test skipped or ignored unless tests/allowed-not-run gives a reason). The last line is
# `tests: N passed, N failed`, the two runs' counts together, also when a step before the tests fails.
# Usage: scripts/test.sh [extra dotnet test arguments] (a filter makes the run fail its minimum counts)
set -uo pipefail
cd "$(dirname "$0")/.."

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

export COYOTE_CLI_TELEMETRY_OPTOUT=1
# The HTML timeline tests (tests/Coyote/Tests/Timeline) and the docs test (tests/Pool.Tests/Docs) draw their pages in
# headless Chromium (Debian's package).
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  else
    echo "chromium is missing: the timeline tests will fail (install it: sudo apt-get install chromium)"
  fi
fi
# The docs test (tests/Pool.Tests/Docs) draws docs/spec.md's Mermaid diagrams in Chromium with the npm package mermaid,
# installed from tools/mermaid's lock file (the page loads it by file path: nothing is fetched while it renders).
if [ ! -d tools/mermaid/node_modules ]; then
  if ! command -v npm >/dev/null && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
  fi
  if command -v npm >/dev/null; then
    (cd tools/mermaid && npm ci --no-audit --no-fund) || echo "npm ci in tools/mermaid failed: the docs test will fail"
  else
    echo "npm is missing: the docs test will fail (install Node.js, then: cd tools/mermaid && npm ci)"
  fi
fi
# Local tools: the Coyote CLI rewrites the test outputs that Coyote explores (tests/Coyote/Coyote.Rewrite.targets).
dotnet tool restore || { echo "dotnet tool restore failed"; echo "tests: 0 passed, 1 failed"; exit 1; }
dotnet restore Pool.sln --locked-mode || { echo "tests: 0 passed, 1 failed"; exit 1; }
dotnet build Pool.sln --no-restore -c Release || { echo "tests: 0 passed, 1 failed"; exit 1; }

dotnet test Pool.sln --no-build -c Release \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 8m "$@"
status=$?

# The F# properties (tests/Properties), as built above. --summary names the ignored tests (scripts/check-results.sh
# reads them); --fail-on-focused-tests: a focused test (ftestCase) makes Expecto run that test alone, which must fail.
timeout --kill-after=30s 20m dotnet tests/Properties/bin/Release/net10.0/Properties.dll \
  --summary --colours 0 --no-spinner --fail-on-focused-tests 2>&1 | tee "$results/properties.log"
properties_status=${PIPESTATUS[0]}

# The verdict (failed, errored, missing, skipped or fewer tests than tests/minimum-counts) and the closing line.
bash scripts/check-results.sh "$results" "$status" "$properties_status"
