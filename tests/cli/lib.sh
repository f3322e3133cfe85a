# SPDX-License-Identifier: MIT
# What every shell test of the command shares; source it after setting H:
#   . "$(dirname "$0")/lib.sh"    (tests/scenarios: .../../cli/lib.sh)
# It makes the temporary folder $T (removed on exit: a script that needs
# more cleanup sets its own trap, which must remove $T too), counts what
# passed and failed, and gives
#   ok NAME, bad NAME           one result line
#   expect_exit CODE NAME CMD   CMD's exit status is CODE; its stdout and
#                               stderr are left in $T/out and $T/err
#   finish [LABEL]              the closing line; fails on any failure, or
#                               when nothing passed
#   key FILE KEY...             the values of KEYs of a --json result (as
#                               JSON: true, null, "text"), space-separated
#   execs ARGS...               the executions of `$H explore ARGS --json`
#   kill_jobs_at_exit           at exit, also kill the runs still going
#   alive PID...                one of them still runs (not a zombie)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# alive PID...: true when one of them still runs (not a zombie)
alive() {
	local p
	for p in "$@"; do
		[[ -e /proc/$p ]] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && return 0
	done
	return 1
}
# kill_jobs_at_exit: at exit, the runs still there (jobs -p: not yet waited
# for) are killed too, each with its workers (set -m: a job is a process
# group); a pid once waited for may be another test's process by then
kill_jobs_at_exit() {
	trap 'for p in $(jobs -p); do kill -9 -- "-$p" 2>/dev/null || kill -9 "$p"; done; rm -rf "$T"' EXIT
}
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
expect_exit() {
	local want=$1 name=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [[ $got == "$want" ]]; then
		ok "$name (exit $got)"
	else
		bad "$name: exit $got, want $want"
		head -20 "$T/out" "$T/err"
	fi
}
finish() {
	echo "${1:+$1: }$pass passed, $fail failed"
	((fail == 0 && pass > 0))
}

key() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(json.dumps(d.get(k)) for k in sys.argv[2:]))' "$@"
}
execs() { "$H" explore "$@" --json --no-progress | python3 -c 'import json, sys; print(json.load(sys.stdin)["executions"])'; }
