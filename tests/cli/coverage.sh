#!/usr/bin/env bash
# Issue 15 items 4 and 7 on the command line: the iterative dfs (a bug that
# needs no preemption found in bound 0, the bound completed or in progress,
# clean totals unchanged) and the coverage of a run (counters under a clean
# summary and in --json, the warning for a thread that never interleaved,
# --trace-out of a clean run).  Usage: coverage.sh PATH/TO/hmmsim TESTS_DIR
set -u
H=${1:?usage: coverage.sh PATH/TO/hmmsim TESTS_DIR}
D=${2:?usage: coverage.sh PATH/TO/hmmsim TESTS_DIR}
. "$(dirname "$0")/lib.sh"

# json_eq NAME PYTHON-EXPR WANT: the expression over d (the JSON of $T/out)
json_eq() {
	local got
	got=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$T/out" 2>&1)
	[[ $got == "$3" ]] && ok "$1 ($got)" || bad "$1: got '$got', want '$3'"
}

echo "# iterative dfs"
expect_exit 1 "dfs-shallow.hsc, dfs bound 2" "$H" explore "$D/cli/dfs-shallow.hsc" --no-minimize --json
json_eq "found in bound 0 within 20 executions" 'd["executions"] <= 20 and d["violations"][0]["kind"]' "assertion"
json_eq "no bound completed" 'd["bound_completed"]' "None"
json_eq "bound 0 in progress" 'd["bound_in_progress"]' "0"
expect_exit 1 "dfs-shallow.hsc, text" "$H" explore "$D/cli/dfs-shallow.hsc" --no-minimize
grep -q "^dfs: no bound completed, bound 0 of 2 in progress when the run ended$" "$T/out" &&
	ok "the summary names the bound in progress" || bad "the summary names the bound in progress"
expect_exit 0 "dfs capped at 100" "$H" explore driver-fault-race --strategy dfs --iterations 100
grep -q "^dfs: bound 0 of 2 completed, bound 1 in progress when the run ended$" "$T/out" &&
	ok "a capped run: bound 0 completed, 1 in progress" || bad "a capped run: bound 0 completed, 1 in progress"
expect_exit 0 "lost-update-fixed dfs 2" "$H" explore lost-update-fixed --strategy dfs --preemptions 2
grep -q "^no violation: exhaustive, all 145 schedules with at most 2 preemptions explored (bound 2 of 2 completed)$" "$T/out" &&
	ok "exhaustive: 145 schedules as before, bound 2 of 2" || bad "exhaustive: 145 schedules as before, bound 2 of 2"

echo "# coverage of a clean run"
expect_exit 0 "driver-steps.hsc (dfs 2)" "$H" explore "$D/scenarios/driver-steps.hsc"
grep -q "^coverage: 5842 executions, 5842 distinct schedules, [0-9]* choice points (at most [0-9]* in one), [0-9]* preemptions$" "$T/out" &&
	ok "coverage line: every schedule distinct" || bad "coverage line: every schedule distinct"
grep -q "^  model events (executions that reached each): p2p-pfn 0, .*read-retry [1-9][0-9]*, invalidate-mirror-hit [1-9]" "$T/out" &&
	ok "model events counted" || bad "model events counted"
grep -q "^  lock contention (executions that found each lock class held): dmirror->mutex [1-9]" "$T/out" &&
	ok "lock contention per class" || bad "lock contention per class"
grep -q "^warning: thread" "$T/out" && bad "no interleaving warning at bound 2" || ok "no interleaving warning at bound 2"
expect_exit 0 "driver-steps.hsc, bound 0" "$H" explore "$D/scenarios/driver-steps.hsc" --strategy dfs --preemptions 0
grep -q "^warning: thread driver never interleaved with another thread in the 3 executions that ran it" "$T/out" &&
	ok "bound 0: driver never interleaved, warned" || bad "bound 0: driver never interleaved, warned"
expect_exit 0 "driver-steps.hsc --json" "$H" explore "$D/scenarios/driver-steps.hsc" --strategy dfs --preemptions 0 --json
json_eq "JSON never_interleaved" '",".join(d["coverage"]["never_interleaved"])' "driver,reclaim"
json_eq "JSON events" 'd["coverage"]["events"]["fault-migrate-to-ram"]["executions"]' "1"
json_eq "JSON distinct schedules" 'd["coverage"]["distinct_schedules"]' "3"

echo "# --trace-out of a clean run"
expect_exit 0 "clean run, --trace-out" "$H" explore lost-update-fixed --strategy dfs --trace-out "$T/t.json"
grep -q "^trace: execution 144 (schedule 1-[0-9a-f]*-[A-Za-z0-9_-]*-[0-9a-f]*) written to $T/t.json$" "$T/out" &&
	ok "says which execution it traced (the last)" || bad "says which execution it traced (the last)"
grep -q '"traceEvents"' "$T/t.json" && grep -q "mutex_lock counter_lock" "$T/t.json" &&
	ok "the trace has the execution's events" || bad "the trace has the execution's events"
tok=$(sed -n 's/^trace: execution 144 (schedule \([^)]*\)).*/\1/p' "$T/out")
expect_exit 0 "its schedule replays" "$H" replay lost-update-fixed --schedule "$tok"
grep -q "replays without a violation" "$T/out" && ok "replays clean" || bad "replays clean"
expect_exit 0 "--trace-execution 5" "$H" explore lost-update-fixed --strategy dfs --trace-out "$T/t5.json" --trace-execution 5
grep -q "^trace: execution 5 " "$T/out" && ok "execution 5 traced" || bad "execution 5 traced"
cmp -s "$T/t.json" "$T/t5.json" && bad "another execution, another trace" || ok "another execution, another trace"
expect_exit 0 "--trace-execution past the run" "$H" explore lost-update-fixed --strategy dfs --trace-out "$T/t9.json" --trace-execution 9999
grep -q "no execution to trace" "$T/err" && ok "says the trace is empty" || bad "says the trace is empty"
grep -q "execution 9999 (--trace-execution) is not one this run completed (it completed 145)" "$T/err" &&
	ok "it names the execution and what the run completed" || bad "the message: $(cat "$T/err")"
# an execution the run cannot reach, known before it: exit 2, one line
for args in "--iterations 3 --trace-execution 3" "--iterations 3 --trace-execution 18446744073709551615" \
	"--strategy pct --iterations 50 --shard 1/2 --trace-execution 4" \
	"--strategy pct --iterations 50 --jobs 2 --trace-execution 5"; do
	# shellcheck disable=SC2086
	expect_exit 2 "refused up front: $args" "$H" explore lost-update-fixed --trace-out "$T/tx.json" $args
	[[ $(wc -l <"$T/err") == 1 && ! -e $T/tx.json ]] && grep -q -- "--trace-execution" "$T/err" &&
		ok "one line, no file ($(cat "$T/err"))" || bad "$args: $(cat "$T/err")"
done
expect_exit 0 "this shard's execution" "$H" explore lost-update-fixed --strategy pct --iterations 50 --shard 1/2 \
	--trace-out "$T/t5s.json" --trace-execution 5
grep -q "^trace: execution 5 " "$T/out" && ok "execution 5 of shard 1/2 traced" || bad "shard 1/2, execution 5: $(cat "$T/out" "$T/err")"
# an empty trace says why, one line, naming what was asked
expect_exit 0 "a dpor shard with no execution" "$H" explore lost-update-fixed --strategy dpor --shard 1/3 --trace-out "$T/ts.json"
[[ $(cat "$T/err") == *"no execution to trace: this run completed no execution: the trace is empty" ]] &&
	ok "it says the run completed none" || bad "the message: $(cat "$T/err")"
# the replay of a clean schedule traces it: the same trace as explore's of that execution
expect_exit 0 "replay of a clean schedule --trace-out" "$H" replay lost-update-fixed --schedule "$tok" --trace-out "$T/tr.json"
[[ ! -s $T/err ]] && cmp -s "$T/t.json" "$T/tr.json" &&
	ok "replay traces the clean schedule, as explore did" || bad "replay --trace-out of a clean schedule: $(cat "$T/err"; head -c 200 "$T/tr.json")"
# an interrupted --jobs run traces nothing: it says so (it was silent)
"$H" explore driver-fault-race --strategy pct --iterations 100000000 --jobs 2 --no-progress \
	--trace-out "$T/tj.json" >"$T/out" 2>"$T/err" &
p=$!
sleep 1
kill -TERM $p
wait $p
rc=$?
[[ $rc == 143 && $(wc -l <"$T/err") == 1 ]] && grep -q "a --jobs run traces a violation's execution only, and this one was interrupted before it found one" "$T/err" &&
	ok "an interrupted --jobs run says why its trace is empty" || bad "interrupted --jobs --trace-out: exit $rc, $(cat "$T/err")"
expect_exit 2 "--trace-execution without --trace-out" "$H" explore lost-update-fixed --trace-execution 3
expect_exit 2 "--trace-execution bad number" "$H" explore lost-update-fixed --trace-out "$T/x.json" --trace-execution x

finish
