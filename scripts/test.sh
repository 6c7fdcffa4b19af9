#!/usr/bin/env bash
# Builds the solution, runs every test project, then the F# properties (an Expecto program, which dotnet test
# does not run); the last line is `tests: N passed, N failed`, the two runs' counts together.
# Usage: scripts/test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")/.."

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

export COYOTE_CLI_TELEMETRY_OPTOUT=1
# The HTML timeline tests (tests/Coyote/Tests/Timeline) draw their pages in headless Chromium (Debian's package).
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  else
    echo "chromium is missing: the timeline tests will fail (install it: sudo apt-get install chromium)"
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

# Sum the counters of every TRX file the runner wrote (plain shell: no other tool needed).
sum_attribute() {
  local total=0 value
  while read -r value; do total=$((total + value)); done < <(
    find "$results" -name '*.trx' -exec grep -ho "<Counters [^>]*" {} + | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*"
  )
  echo "$total"
}
passed=$(sum_attribute passed)
failed=$(( $(sum_attribute failed) + $(sum_attribute error) + $(sum_attribute timeout) + $(sum_attribute aborted) ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the runner failed without a counted test failure (crash, hang, build of a test host)
fi

# The F# properties (tests/Properties), as built above. Expecto's closing line:
# "EXPECTO! 28 tests run in 00:00:09.12 for ... – 28 passed, 0 ignored, 0 failed, 0 errored. Success!"
# A crash, a non-zero exit or a run of no test counts as at least one failure.
properties_log="$results/properties.log"
timeout --kill-after=30s 20m dotnet tests/Properties/bin/Release/net10.0/Properties.dll \
  --summary --colours 0 --no-spinner 2>&1 | tee "$properties_log"
properties_status=${PIPESTATUS[0]}
closing=$(grep -a "EXPECTO! " "$properties_log" | tail -n 1 | tr -d ',')
count() { # the number before "$1" in the closing line (the last such: a test's name comes before the counts), or 0
  echo "$closing" | grep -oE "[0-9]+ $1" | tail -n 1 | grep -oE "^[0-9]+" || echo 0
}
properties_run=$(count "tests run")
properties_passed=$(count "passed")
properties_failed=$(( $(count "failed") + $(count "errored") ))
if { [ "$properties_status" -ne 0 ] || [ "$properties_run" -eq 0 ]; } && [ "$properties_failed" -eq 0 ]; then
  properties_failed=1 # crashed, timed out, failed without a counted failure, or ran nothing
fi
echo "F# properties (Expecto): ${properties_run} run, ${properties_passed} passed, ${properties_failed} failed (exit code ${properties_status})"
passed=$((passed + properties_passed))
failed=$((failed + properties_failed))

echo "tests: ${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
