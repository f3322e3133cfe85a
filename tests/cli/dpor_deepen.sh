#!/usr/bin/env bash
# explore --strategy dpor --deepen (docs/dpor.md, "Iterative bounding"): the
# covering bounds 0, 1, 2, ... in turn.  A budget that ends inside a round
# says which bound was covered, in the text and the JSON alike; up to
# --preemptions P the executions are the covering runs' of bounds 0..P; a
# round that leaves nothing out ends the run exhausted; a bug is found in
# the round of its fewest preemptions; a run repeats its JSON; wrong uses
# are refused.
# Usage: dpor_deepen.sh PATH/TO/hmmsim
set -u
H=${1:?usage: dpor_deepen.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

run() { "$H" explore "$@" --strategy dpor --deepen --no-progress --no-minimize; }

# the covering runs of driver-fault-race at bounds 0 and 1
c0=$(execs driver-fault-race --strategy dpor --preemptions 0)
c1=$(execs driver-fault-race --strategy dpor --preemptions 1)
[[ $c0 -gt 0 && $c1 -gt $c0 ]] && ok "covering runs: $c0 and $c1 executions" || bad "covering runs: '$c0' '$c1'"

# a budget 10 executions into round 2
n=$((c0 + c1 + 10))
run driver-fault-race --iterations $n --json >"$T/cut.json" 2>"$T/err"
got=$(key "$T/cut.json" executions exhausted deepen bound_completed bound_in_progress whole_tree)
[[ $got == "$n false true 1 2 false" ]] && ok "a budget inside round 2: bound 1 covered, 2 in progress" ||
	bad "budget run: got '$got'"
run driver-fault-race --iterations $n >"$T/cut.txt" 2>"$T/err"
grep -q "^dpor --deepen: every schedule with at most 1 preemption explored (bounds 0 to 1 covered, up to reordering independent operations), bound 2 in progress when the run ended$" "$T/cut.txt" &&
	ok "the text says the same" || bad "the text: $(head -5 "$T/cut.txt")"
grep -q "^no violation$" "$T/cut.txt" && ok "and no violation, not exhausted" || bad "last line: $(tail -3 "$T/cut.txt")"
est=$(key "$T/cut.json" estimated_total)
python3 -c "import sys; sys.exit(not (float('$est') > $n))" && ok "the estimate is above the executions ($est)" ||
	bad "estimate $est, executions $n"

run driver-fault-race --iterations $n --html "$T/cut.html" >/dev/null 2>"$T/err"
grep -q 'sampled: not exhaustive; every schedule with at most 1 preemption covered (the run ended in bound 2)' "$T/cut.html" &&
	ok "--html's verdict names the bound covered" || bad "--html: $(grep -o 'id="verdict">[^<]*' "$T/cut.html")"

# up to --preemptions 1: the covering runs' executions, exhaustive within the bound
run driver-fault-race --preemptions 1 --json >"$T/b.json" 2>"$T/err"
got=$(key "$T/b.json" executions exhausted bound_completed covers_bound)
[[ $got == "$((c0 + c1)) true 1 true" ]] && ok "--preemptions 1: $((c0 + c1)) executions, bounds 0 and 1" ||
	bad "--preemptions 1: got '$got', want $((c0 + c1)) true 1 true"

# a round that left nothing out: exhausted, the whole tree
run lost-update-fixed --json >"$T/w.json" 2>"$T/err"
got=$(key "$T/w.json" exhausted whole_tree violations_found)
[[ $got == "true true 0" ]] && ok "lost-update-fixed: exhausted, whole tree" || bad "lost-update-fixed: got '$got'"
run lost-update-fixed >"$T/w.txt" 2>"$T/err"
grep -q "^no violation: exhausted: true, every execution up to reordering independent operations: the round of bound [0-9]* left nothing out" "$T/w.txt" &&
	ok "its text says so" || bad "its text: $(cat "$T/w.txt")"

# a bug needing one preemption: found in round 1
expect_exit 1 "driver-fault-race-noretry: found" run driver-fault-race-noretry
grep -q "^dpor --deepen: every schedule with at most 0 preemptions explored (bounds 0 to 0 covered, up to reordering independent operations), bound 1 in progress when the run ended$" "$T/out" &&
	ok "in round 1, after bound 0 was covered" || bad "noretry: $(head -4 "$T/out")"

# a round with an execution cut as unfair covers nothing from there on: with
# --step-bound 1000, owner-p2p-migrate@mutable-marked starves a thread in
# round 1 (14 executions), for --deepen and for iterative dfs alike
c=owner-p2p-migrate@mutable-marked
run $c --preemptions 1 --step-bound 1000 --json >"$T/u.json" 2>"$T/err"
got=$(key "$T/u.json" exhausted bound_completed bound_in_progress whole_tree)
[[ $got == "false 0 1 false" && $(key "$T/u.json" unfair_cut) != 0 ]] &&
	ok "--deepen, unfair cuts in round 1: bound 0 covered, not 1" || bad "--deepen with unfair cuts: got '$got'"
run $c --preemptions 1 --step-bound 1000 >"$T/u.txt" 2>"$T/err"
grep -q "^dpor --deepen: every schedule with at most 0 preemptions explored (bounds 0 to 0 covered, up to reordering independent operations), bound 1 not: an execution was cut as unfair in it (below); the run ended in bound 1$" "$T/u.txt" &&
	ok "the text says bound 1 is not covered, and why" || bad "the text: $(grep deepen "$T/u.txt")"
"$H" explore $c --strategy dfs --preemptions 1 --step-bound 1000 --iterations 2000000 --json --no-progress >"$T/f.json" 2>"$T/err"
got=$(key "$T/f.json" exhausted bound_completed bound_in_progress)
[[ $got == "false 0 1" ]] && ok "dfs, the same: bound 0 completed, not 1" || bad "dfs with unfair cuts: got '$got'"
"$H" explore $c --strategy dfs --preemptions 1 --step-bound 1000 --iterations 2000000 --no-progress >"$T/f.txt" 2>"$T/err"
grep -q "^no violation in [0-9]* schedules, but NOT exhaustive: [0-9]* cut as unfair (above)$" "$T/f.txt" &&
	ok "dfs's last line: not exhaustive for the cuts, not for a cap" || bad "dfs's last line: $(grep 'no violation' "$T/f.txt")"

run driver-fault-race-noretry --html "$T/v.html" >/dev/null 2>&1
grep -q 'id="verdict">1 violation in the round of bound 1; every schedule with at most 0 preemptions was clean<' "$T/v.html" &&
	ok "--html: the violation's round, and the bound clean before it" || bad "--html: $(grep -o 'id="verdict">[^<]*' "$T/v.html")"

# the same command, the same JSON but for timing
strip() { sed -E 's/"(elapsed_s|execs_per_s)":[0-9.e+-]*//g' "$1"; }
run driver-fault-race --iterations $n --json >"$T/cut2.json" 2>"$T/err"
[[ $(strip "$T/cut.json") == "$(strip "$T/cut2.json")" ]] && ok "a second run: the same JSON" || bad "the JSON differs between runs"

# wrong uses
for bad_use in "--strategy pct" "--shard 0/2" "--split-depth 2" "--keep-going" "--race-profile" "--probes 10"; do
	# shellcheck disable=SC2086
	expect_exit 2 "--deepen with $bad_use" "$H" explore lost-update-fixed --strategy dpor $bad_use --deepen --no-progress
	[[ $(wc -l <"$T/err") -eq 1 ]] && grep -q -- "--deepen.*(see hmmsim --help)" "$T/err" && ok "one line naming --deepen, as every usage error" ||
		bad "the message: $(cat "$T/err")"
done
expect_exit 2 "replay --deepen" "$H" replay lost-update-fixed --schedule 1-0-0 --deepen

finish dpor-deepen
