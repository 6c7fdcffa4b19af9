#!/usr/bin/env bash
# Stryker.NET over src/Pool.CSharp with the unit tests of tests/Pool.Tests (config: tests/Pool.Tests/stryker-config.json).
# Usage: scripts/stryker.sh [NAME [extra dotnet-stryker arguments]]
#   scripts/stryker.sh all                                   # the whole product
#   scripts/stryker.sh pool -m "**/Pool/*.cs" -m "**/Tasks/*.cs"   # some folders (a -m replaces the config's list)
# Reports (ClearText on stdout, mutation-report.json and .html) go to artifacts/stryker/NAME.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-all}
shift || true
out="$PWD/artifacts/stryker/$name"
mkdir -p "$out"
dotnet tool restore >/dev/null
cd tests/Pool.Tests
exec nice -n 15 dotnet tool run dotnet-stryker -- -f stryker-config.json -O "$out" --skip-version-check "$@"
