#!/usr/bin/env bash
# Reads what a test run left in a results folder and decides whether the run passed: the TRX files of `dotnet test`
# (one per test project) and properties.log, the output of the F# properties (the Expecto program). scripts/test.sh
# runs it at the end of every run; it can be run alone on a results folder.
# Usage: bash scripts/check-results.sh RESULTS [DOTNET_TEST_EXIT [PROPERTIES_EXIT]]
#   RESULTS            the folder (artifacts/test-results in scripts/test.sh)
#   DOTNET_TEST_EXIT   the exit code of `dotnet test` (default 0); non-zero fails the run even if no test failed
#   PROPERTIES_EXIT    the exit code of the Expecto program (default 0); likewise
# The run fails, with a line naming each reason, if:
#   - a test failed (or errored, timed out, aborted), or a runner exited non-zero;
#   - a test project listed in tests/minimum-counts left no TRX file, or a TRX file is for a project not listed there;
#   - a project, or the Expecto program, reported fewer tests than its minimum in tests/minimum-counts (a test deleted,
#     a filter, a discovery that found nothing, a test host that crashed half-way);
#   - a test did not run (xunit: skipped / not executed / inconclusive; Expecto: ignored) and is not in
#     tests/allowed-not-run with a reason.
# The last line is always `tests: N passed, N failed`, the counts of the runners (TRX files and Expecto's closing line
# together); a run that fails for a reason above with no failed test says 1 failed. Exit code 0 only for a passing run.
set -uo pipefail
cd "$(dirname "$0")/.."

results=${1:?Usage: bash scripts/check-results.sh RESULTS [DOTNET_TEST_EXIT [PROPERTIES_EXIT]]}
test_status=${2:-0}
properties_status=${3:-0}
minimums_file=tests/minimum-counts
allowed_file=tests/allowed-not-run

passed=0
failed=0
problems=0
problem() {
  echo "CI CHECK FAILED: $*"
  problems=$((problems + 1))
}

# The minimum counts: "NAME COUNT" a line; '#' starts a comment.
declare -A minimum=()
while read -r name count rest; do
  [ -n "$name" ] || continue
  if [[ ! "$count" =~ ^[0-9]+$ ]] || [ -n "$rest" ]; then
    problem "$minimums_file: a line must be 'NAME COUNT', not '$name $count $rest'"
    continue
  fi
  minimum[$name]=$count
done < <(sed 's/#.*//' "$minimums_file" 2>/dev/null)
[ ${#minimum[@]} -gt 0 ] || problem "$minimums_file is missing or lists no project"

# The tests allowed not to run: "TEST NAME | REASON" a line (the name as the runner prints it); '#' at the start of a
# line starts a comment.
declare -A allowed=()
while IFS= read -r line; do
  [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
  # The name is what comes before the last " | ", the reason what follows it.
  if [[ "$line" != *" | "* ]] || [ -z "${line##* | }" ] || [ -z "${line% | *}" ]; then
    problem "$allowed_file: a line must be 'TEST NAME | REASON', not '$line'"
    continue
  fi
  allowed[${line% | *}]=1
done < <(cat "$allowed_file" 2>/dev/null)

# Tests that did not run, and are not allowed not to: "RUNNER: OUTCOME: NAME" a line.
not_run_refused=()
refuse_unless_allowed() { # RUNNER OUTCOME NAME
  [ -n "$3" ] && [ -n "${allowed[$3]:-}" ] || not_run_refused+=("$1: $2: ${3:-(a test without a name)}")
}

unescape_xml() { sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'; }

# The TRX files: the project is the test assembly's name (the codeBase of its tests), the counts are those of the
# results in the file (a theory's data rows count one each), and every result that neither passed nor failed is named.
declare -A reported=()
shopt -s nullglob globstar
for trx in "$results"/**/*.trx; do
  assembly=$(grep -o -m 1 'codeBase="[^"]*"' "$trx" | sed 's/^codeBase="//; s/"$//')
  project=$(basename "$assembly" .dll)
  if [ -z "$project" ]; then
    # A run that discovered nothing writes no test definition: the file cannot be tied to a project.
    problem "$(basename "$trx") holds no test (no test assembly named in it)"
    continue
  fi
  trx_passed=0
  trx_failed=0
  trx_total=0
  while IFS=$'\t' read -r outcome name; do
    trx_total=$((trx_total + 1))
    case "$outcome" in
      Passed) trx_passed=$((trx_passed + 1)) ;;
      Failed | Error | Timeout | Aborted) trx_failed=$((trx_failed + 1)) ;;
      *) refuse_unless_allowed "$project" "$outcome" "$name" ;;
    esac
  done < <(
    # A test case with several results (a theory whose rows are found only when it runs) is written as a parent
    # result (resultType="DataDrivenTest") holding one result a row: the rows are counted, not the parent.
    grep -o '<UnitTestResult [^>]*' "$trx" | grep -v 'resultType="DataDrivenTest"' |
      sed -n 's/.* testName="\([^"]*\)".* outcome="\([^"]*\)".*/\2\t\1/p' | unescape_xml
  )
  passed=$((passed + trx_passed))
  failed=$((failed + trx_failed))
  reported[$project]=$((${reported[$project]:-0} + trx_total))
  echo "$project (dotnet test): $trx_total tests, $trx_passed passed, $trx_failed failed"
done

# The F# properties. Expecto's closing line and summary (with --summary):
#   EXPECTO! 28 tests run in 00:00:09.12 for ... – 27 passed, 1 ignored, 0 failed, 0 errored. Success!
#   Ignored: 1
#   <TAB>pool.model.a test's name
properties_log="$results/properties.log"
if [ -f "$properties_log" ]; then
  closing=$(grep -a "EXPECTO! " "$properties_log" | tail -n 1 | tr -d ',')
  count() { # the number before "$1" in the closing line (the last such: a test's name comes before the counts), or 0
    echo "$closing" | grep -oE "[0-9]+ $1" | tail -n 1 | grep -oE "^[0-9]+" || echo 0
  }
  properties_passed=$(count "passed")
  properties_ignored=$(count "ignored")
  properties_failed=$(($(count "failed") + $(count "errored")))
  properties_total=$((properties_passed + properties_ignored + properties_failed))
  while IFS= read -r name; do
    [ -z "$name" ] || refuse_unless_allowed Properties Ignored "$name"
  done < <(sed -n '/^Ignored:/,/^Failed:/{s/^\t//p}' "$properties_log")
  # --fail-on-focused-tests: "It was requested that no focused tests exist, but 1 focused tests were found:" and
  # the names, one a line.
  if grep -aq 'focused tests were found' "$properties_log"; then
    problem "Properties: focused tests (ftestCase, ftest, ...) make Expecto run them alone:" \
      "$(sed -n '/focused tests were found/,$p' "$properties_log" | sed '1d; s/ *<Expecto>.*//' | grep -v $'\e' |
        paste -sd ';' | sed 's/;/; /g')"
  fi
  if [ "$properties_ignored" -gt 0 ] && ! grep -q '^Ignored:' "$properties_log"; then
    problem "Properties: $properties_ignored ignored tests, and no summary naming them (run it with --summary)"
  fi
  echo "Properties (Expecto): $properties_total tests, $properties_passed passed, $properties_ignored ignored," \
    "$properties_failed failed (exit code $properties_status)"
  passed=$((passed + properties_passed))
  failed=$((failed + properties_failed))
  reported[Properties]=$properties_total
fi

for project in "${!reported[@]}"; do
  if [ -z "${minimum[$project]:-}" ]; then
    problem "$project reported ${reported[$project]} tests and has no minimum: add '$project ${reported[$project]}' to $minimums_file"
  fi
done
for project in $(printf '%s\n' "${!minimum[@]}" | sort); do
  if [ -z "${reported[$project]+set}" ]; then
    problem "$project: 0 tests, no results file (a TRX file, or properties.log for Properties); its minimum is" \
      "${minimum[$project]} in $minimums_file"
  elif [ "${reported[$project]}" -lt "${minimum[$project]}" ]; then
    problem "$project: ${reported[$project]} tests, fewer than its minimum ${minimum[$project]} in $minimums_file"
  fi
done
if [ ${#not_run_refused[@]} -gt 0 ]; then
  problem "${#not_run_refused[@]} tests did not run and are not in $allowed_file with a reason:"
  printf '  %s\n' "${not_run_refused[@]}"
fi
if [ "$test_status" -ne 0 ]; then
  problem "dotnet test exited with code $test_status"
fi
if [ "$properties_status" -ne 0 ]; then
  problem "the F# properties (Expecto) exited with code $properties_status"
fi

# A failure that no test count shows (a reason above with no failed test) still counts as one failed.
if [ "$problems" -gt 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "tests: ${passed} passed, ${failed} failed"
[ "$problems" -eq 0 ] && [ "$failed" -eq 0 ]
