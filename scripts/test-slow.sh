#!/usr/bin/env bash
# Runs the whole vitest suite in the ways a CI machine can be slow, one condition after the other, and says
# which passed. A test that fails here but passes on a quiet machine measures the machine, not the code: fix it
# where its time comes from (a budget or a sleep on the test's clock), not with a longer timeout.
#
#   npm run test:slow                     # every condition
#   npm run test:slow -- taskset twice    # only some of them
#
# Conditions:
#   faketime-dst   the process clock at Sunday 2027-03-28 01:30 UTC (the EU DST switch): libfaketime also makes
#                  every clock call slower
#   faketime-noon  the process clock at a weekday noon, 2027-06-16 12:00 UTC
#   taskset        the suite and everything it starts (moto, the simulator) on one core
#   twice          two copies of the suite at the same time, each starting its own moto
# Each condition's output is kept in test-slow/<condition>.log. Not part of .ci/run: it takes about 30 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
all=(faketime-dst faketime-noon taskset twice)
if [[ $# -gt 0 ]]; then conditions=("$@"); else conditions=("${all[@]}"); fi
for c in "${conditions[@]}"; do
  [[ " ${all[*]} " == *" $c "* ]] || { echo "unknown condition '$c': choose from ${all[*]}" >&2; exit 2; }
done
if [[ " ${conditions[*]} " == *" faketime"* ]] && ! command -v faketime >/dev/null; then
  echo "faketime is missing: install it (Debian: apt-get install faketime), or leave out the faketime conditions" >&2
  exit 2
fi
if [[ " ${conditions[*]} " == *" taskset "* ]] && ! command -v taskset >/dev/null; then
  echo "taskset is missing: install it (Debian: apt-get install util-linux), or leave out the taskset condition" >&2
  exit 2
fi

npm run build >/dev/null || { echo "the build failed: run npm run build to see why" >&2; exit 1; }
mkdir -p test-slow
suite() { npx vitest run --reporter=dot "$@"; }
failed=()
for c in "${conditions[@]}"; do
  log="test-slow/$c.log"
  logs=("$log")
  started=$SECONDS
  case "$c" in
    faketime-dst) faketime -f '@2027-03-28 01:30:00' npx vitest run --reporter=dot >"$log" 2>&1 ;;
    faketime-noon) faketime -f '@2027-06-16 12:00:00' npx vitest run --reporter=dot >"$log" 2>&1 ;;
    taskset) taskset -c 0 npx vitest run --reporter=dot >"$log" 2>&1 ;;
    twice)
      suite >"$log" 2>&1 &
      first=$!
      logs+=("test-slow/twice-second.log")
      suite >"test-slow/twice-second.log" 2>&1
      second=$?
      wait "$first" && [[ $second -eq 0 ]]
      ;;
  esac
  status=$?
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "${logs[@]}" 2>/dev/null | grep -E '^ +Tests ' | tr -s ' ' | paste -sd';')
  if [[ $status -eq 0 ]]; then
    echo "pass  $c in $((SECONDS - started)) s: ${summary:-see $log}"
  else
    echo "FAIL  $c in $((SECONDS - started)) s: ${summary:-see $log} (the failures are in $log)"
    failed+=("$c")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "failed under: ${failed[*]}" >&2
  exit 1
fi
echo "the suite passed under: ${conditions[*]}"
