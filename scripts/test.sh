#!/usr/bin/env bash
# Builds the solution and runs every test project; the last line is `tests: N passed, N failed`.
# Usage: scripts/test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")/.."

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

export COYOTE_CLI_TELEMETRY_OPTOUT=1
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
echo "tests: ${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
