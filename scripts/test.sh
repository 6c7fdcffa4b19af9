#!/usr/bin/env bash
# Builds the solution and runs every test project; the last line is `tests: N passed, N failed`.
# Usage: scripts/test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")/.."

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet restore Pool.sln --locked-mode || { echo "tests: 0 passed, 1 failed"; exit 1; }
dotnet build Pool.sln --no-restore -c Release || { echo "tests: 0 passed, 1 failed"; exit 1; }

dotnet test Pool.sln --no-build -c Release \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 8m "$@"
status=$?

# Sum the counters of every TRX file the runner wrote.
read -r passed failed < <(
  python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    for counters in ET.parse(path).getroot().iter():
        if counters.tag.endswith("Counters"):
            passed += int(counters.get("passed", 0))
            failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
print(passed, failed)
PY
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the runner failed without a counted test failure (crash, hang, build of a test host)
fi
echo "tests: ${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
