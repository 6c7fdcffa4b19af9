#!/usr/bin/env bash
# Packs the libraries a user references and the pool-explore tool, with symbols, into artifacts/packages/
# (or the folder given). Usage: bash scripts/pack.sh [OUTPUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/packages}
mkdir -p "$out"
for project in src/Pool.CSharp src/Pool.Systematic src/Pool.Explorer; do
  dotnet pack "$project" -c Release -o "$out" -p:ContinuousIntegrationBuild=true -nologo -v q
done
ls -1 "$out"
