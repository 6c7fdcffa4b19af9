#!/usr/bin/env bash
# Explores the built-in scenarios with Microsoft Coyote (`coyote test`), the second engine beside pool-explore.
# Usage: bash scripts/coyote.sh [FILTER] [ITERATIONS]
#   FILTER      part of a scenario's name, any case (default: every scenario), e.g. PoolScenarios or CountStaysExact
#   ITERATIONS  Coyote iterations per scenario (default 1000)
# Exit code: 0 no bug, 1 a bug (Coyote's trace and report are kept under coyote-out/SCENARIO/), 2 usage or setup error.
# Restores the Coyote CLI (a local tool), builds the scenarios under artifacts/coyote-build, copies them to
# coyote-out/bin and rewrites them there with `coyote rewrite` (the projects' own build outputs are not changed).
# SEED=N in the environment fixes the seed.
set -uo pipefail
cd "$(dirname "$0")/.."
export COYOTE_CLI_TELEMETRY_OPTOUT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() {
  echo "$1" >&2
  echo "Usage: bash scripts/coyote.sh [FILTER] [ITERATIONS]   (e.g. bash scripts/coyote.sh PoolScenarios 500)" >&2
  exit 2
}
[ $# -le 2 ] || usage "Too many arguments."
filter=${1:-}
iterations=${2:-1000}
[[ "$iterations" =~ ^[1-9][0-9]*$ ]] || usage "ITERATIONS must be a positive whole number, not '$iterations'."
seed_args=()
if [ -n "${SEED:-}" ]; then
  [[ "$SEED" =~ ^[0-9]+$ ]] || usage "SEED must be a whole number, not '$SEED'."
  seed_args=(--seed "$SEED")
fi

if ! dotnet tool restore >/dev/null; then
  echo "Could not restore the Coyote CLI (microsoft.coyote.cli in .config/dotnet-tools.json)." >&2
  echo "Check that the NuGet feed is reachable, then run 'dotnet tool restore' and try again." >&2
  exit 2
fi
# The scenarios are built in a folder of their own (--artifacts-path; kept, so later runs build incrementally), not in
# the projects' bin/ and obj/: the tests of tests/Coyote/Tests run this script while other test processes of the same
# run read those folders (the mutation tests copy the product's restore outputs), and a build there could race them.
build=artifacts/coyote-build
if ! dotnet build tests/Coyote/Scenarios -c Release --artifacts-path "$build" -v q -nologo >/dev/null; then
  echo "The scenarios did not build: run 'dotnet build tests/Coyote/Scenarios -c Release' to see why." >&2
  exit 2
fi

out=coyote-out
bin=$out/bin
rm -rf "$out"
mkdir -p "$bin"
cp -r "$build/bin/Coyote.Scenarios/release/." "$bin/"
cat >"$bin/rewrite.coyote.json" <<'JSON'
{ "AssembliesPath": ".", "Assemblies": [ "Pool.ThreadPool.dll", "Coyote.Binding.dll", "Pool.Scenarios.dll", "Coyote.Scenarios.dll" ] }
JSON
if ! dotnet tool run coyote rewrite "$bin/rewrite.coyote.json" >"$out/rewrite.log" 2>&1; then
  echo "coyote rewrite failed (see $out/rewrite.log)." >&2
  exit 2
fi

# Coyote lists its test methods when asked for one that does not exist.
mapfile -t all < <(dotnet tool run coyote test "$bin/Coyote.Scenarios.dll" -m '#list#' 2>&1 | sed -n 's/^  \(Coyote\.Scenarios\..*\)$/\1/p' | sort)
if [ ${#all[@]} -eq 0 ]; then
  echo "Coyote found no test method in $bin/Coyote.Scenarios.dll (see: dotnet tool run coyote test $bin/Coyote.Scenarios.dll)." >&2
  exit 2
fi
selected=()
for name in "${all[@]}"; do
  if [ -z "$filter" ] || [[ "${name,,}" == *"${filter,,}"* ]]; then selected+=("$name"); fi
done
if [ ${#selected[@]} -eq 0 ]; then
  echo "No scenario matches '$filter'. The scenarios are:" >&2
  printf '  %s\n' "${all[@]#Coyote.Scenarios.}" >&2
  exit 2
fi

printf '%-62s %10s %5s %9s\n' scenario iterations bugs seconds
status=0
for name in "${selected[@]}"; do
  short=${name#Coyote.Scenarios.}
  dir="$out/$short"
  log="$dir/coyote.log"
  mkdir -p "$dir"
  dotnet tool run coyote test "$bin/Coyote.Scenarios.dll" -m "$name" -i "$iterations" "${seed_args[@]}" -o "$dir" >"$log" 2>&1
  bugs=$(sed -n 's/.*Found \([0-9]*\) bugs\{0,1\}\..*/\1/p' "$log" | tail -n 1)
  paths=$(sed -n 's/.*Explored \([0-9]*\) execution path.*/\1/p' "$log" | tail -n 1)
  seconds=$(sed -n 's/.*Elapsed \([0-9.]*\) sec.*/\1/p' "$log" | tail -n 1)
  if [ -z "$bugs" ]; then
    # Coyote did not get to explore: the setup failed (not a bug found).
    printf '%-62s %10s %5s %9s  SETUP ERROR: %s\n' "$short" - - - "$(grep -m1 -i -E 'error|exception' "$log")"
    [ "$status" -eq 1 ] || status=2
    continue
  fi
  printf '%-62s %10s %5s %9.2f\n' "$short" "${paths:-?}" "$bugs" "${seconds:-0}"
  if [ "$bugs" -gt 0 ]; then
    status=1
    trace=$(find "$dir" -name '*.trace' | head -n 1)
    echo "  $(grep -m1 -E 'Unhandled exception|Deadlock|Assertion|bug' "$dir"/CoyoteOutput/*.txt 2>/dev/null | sed 's/^\[[^]]*\] //')"
    echo "  report: $dir/CoyoteOutput/   replay: dotnet tool run coyote replay $bin/Coyote.Scenarios.dll $trace -m $name"
  else
    rm -rf "$dir"
  fi
done
exit "$status"
