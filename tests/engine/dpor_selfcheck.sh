#!/usr/bin/env bash
# dpor's soundness self-check (--por-check) over every built-in scenario and
# every tests/scenarios file, bounded: the first N executions of each (the
# whole tree where it is small).  A "por-check" violation is a model access
# the engine cannot see (docs/dpor.md); any other violation is the
# scenario's own bug, which dpor found, and ends its run.  The litmus
# programs run once more under a covering bound (--preemptions 2), whose
# rules differ: every polling round runs, read sections are ordered.
set -u
bin=$1
dir=$2
n=${DPOR_SELFCHECK_EXECUTIONS:-40}
fail=0
names=$("$bin" list | awk '/^  [a-z]/ && $1 !~ /^POLICY/ {print $1}' | grep -v '^owner-')
litmus=$("$bin" list | awk '/^engine litmus/ {on = 1; next} /^[a-z]/ {on = 0}
	on && /^  [a-z]/ {print $1}')
# check NAME ITERATIONS [OPTION...]
check() {
	local s=$1 it=$2
	shift 2
	out=$("$bin" explore "$s" --strategy dpor --por-check --iterations "$it" --json \
		--no-minimize --no-progress "$@" 2>&1)
	rc=$?
	if [ $rc -gt 1 ]; then
		echo "FAIL $s $*: exit $rc: $out"
		fail=1
	elif printf '%s' "$out" | grep -q '"kind":"por-check"'; then
		echo "FAIL $s $*: $(printf '%s' "$out" | grep -o '"message":"[^"]*"' | head -1)"
		fail=1
	fi
}
for s in $names "$dir"/*.hsc; do
	check "$s" "$n"
done
for s in $litmus; do
	check "$s" 1000 --preemptions 2
done
[ -n "$litmus" ] || { echo "FAIL: no litmus programs listed"; fail=1; }
[ $fail = 0 ] && echo "self-check clean over $(echo $names | wc -w) built-ins and $(ls "$dir"/*.hsc | wc -l) files, $(echo $litmus | wc -w) litmus programs bounded"
exit $fail
