#!/usr/bin/env bash
# Packs the libraries a user references and the pool-explore tool, with symbols, into artifacts/packages/
# (or the folder given). Usage: bash scripts/pack.sh [OUTPUT]
#
# The packages are built from the sources in a build folder of their own (a temporary folder given to
# `dotnet pack --artifacts-path`, removed at the end), never in the projects' bin/ and obj/. The pack build differs
# from the solution's build (ContinuousIntegrationBuild=true), so in the shared folders it would recompile the
# product, and it runs while other processes use those folders: the package test (tests/Pool.Tests/Packaging) runs
# this script while the Coyote tests run scripts/coyote.sh and copy the product's restore outputs. Packing the
# solution's outputs with --no-build instead would tie the packages to whatever build was last in bin/; a build of
# its own keeps the script the same on a fresh clone and inside the test run, at the cost of one more compile.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/packages}
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=$(mktemp -d "${TMPDIR:-/tmp}/pool-pack.XXXXXX")
trap 'rm -rf "$build"' EXIT
for project in src/Pool.CSharp src/Pool.Systematic src/Pool.Systematic.Xunit src/Pool.Explorer; do
  dotnet pack "$project" -c Release -o "$out" --artifacts-path "$build" -p:ContinuousIntegrationBuild=true \
    -nologo -v q
done
ls -1 "$out"
