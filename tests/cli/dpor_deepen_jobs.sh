#!/usr/bin/env bash
# explore --strategy dpor --deepen --jobs J (docs/dpor.md, "Iterative
# bounding"): each round is the split covering run of its bound, run by the
# J workers to its end before the next begins.  Up to --preemptions 1 the
# executions are those of the split runs of bounds 0 and 1, whatever J; a
# bug is found in its round and its token replays it; a round that leaves
# nothing out ends the run exhausted; a budget or unfair cuts stop the
# claims where one process stops them; a run repeats its JSON; a bounded
# run's JSON and hmmsim merge say whether the bound left anything out.
# Usage: dpor_deepen_jobs.sh PATH/TO/hmmsim
set -u
H=${1:?usage: dpor_deepen_jobs.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

run() { "$H" explore "$@" --strategy dpor --deepen --no-progress --no-minimize; }

# the split covering runs of driver-fault-race at bounds 0 and 1
c0=$(execs driver-fault-race --strategy dpor --preemptions 0 --jobs 2)
c1=$(execs driver-fault-race --strategy dpor --preemptions 1 --jobs 2)
[[ $c0 -gt 0 && $c1 -gt $c0 ]] && ok "split covering runs: $c0 and $c1 executions" || bad "split covering runs: '$c0' '$c1'"

for J in 1 2 3; do
	run driver-fault-race --preemptions 1 --jobs $J --json >"$T/b$J.json" 2>"$T/err"
	got=$(key "$T/b$J.json" executions exhausted bound_completed covers_bound whole_tree deepen)
	[[ $got == "$((c0 + c1)) true 1 true false true" ]] &&
		ok "--preemptions 1 --jobs $J: $((c0 + c1)) executions, bounds 0 and 1 covered" ||
		bad "--preemptions 1 --jobs $J: got '$got', want $((c0 + c1)) true 1 true false true"
done
run driver-fault-race --preemptions 1 --jobs 2 >"$T/b.txt" 2>"$T/err"
grep -q "^no violation: exhaustive within the bound, every schedule with at most 1 preemption up to reordering independent operations, in $((c0 + c1)) executions" "$T/b.txt" &&
	ok "its text says the bound is covered" || bad "its text: $(cat "$T/b.txt")"

# a bug needing one preemption: found in round 1, and its token replays it
expect_exit 1 "driver-fault-race-noretry --jobs 2: found" run driver-fault-race-noretry --jobs 2 --json
cp "$T/out" "$T/v.json"
got=$(key "$T/v.json" exhausted bound_completed bound_in_progress)
[[ $got == "false 0 1" ]] && ok "in round 1, after bound 0 was covered" || bad "noretry: got '$got'"
tok=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["violations"][0]["schedule"])' "$T/v.json")
expect_exit 1 "its token replays the violation" "$H" replay driver-fault-race-noretry --schedule "$tok"
grep -q "^VIOLATION coherence" "$T/out" && ok "the same kind, coherence" || bad "replay: $(grep VIOLATION "$T/out")"
for J in 1 3; do
	run driver-fault-race-noretry --jobs $J --json >"$T/v$J.json" 2>"$T/err"
	[[ $(key "$T/v$J.json" bound_completed bound_in_progress) == "0 1" ]] &&
		ok "--jobs $J: the same round" || bad "--jobs $J: $(key "$T/v$J.json" bound_completed bound_in_progress)"
done

# a round that left nothing out: exhausted, the whole tree
run lost-update-fixed --jobs 2 --json >"$T/w.json" 2>"$T/err"
got=$(key "$T/w.json" exhausted whole_tree violations_found)
[[ $got == "true true 0" ]] && ok "lost-update-fixed --jobs 2: exhausted, whole tree" || bad "lost-update-fixed: got '$got'"
expect_exit 1 "lost-update --jobs 2: found" run lost-update --jobs 2

# a budget inside round 2 (each worker's, as with dpor --jobs)
n=$((c0 + c1 + 10))
run driver-fault-race --iterations $n --jobs 2 --json >"$T/cut.json" 2>"$T/err"
got=$(key "$T/cut.json" exhausted bound_completed bound_in_progress whole_tree)
[[ $got == "false 1 2 false" ]] && ok "a budget inside round 2: bound 1 covered, 2 in progress" || bad "budget: got '$got'"
run driver-fault-race --iterations $n --jobs 2 >"$T/cut.txt" 2>"$T/err"
grep -q "^dpor --deepen: every schedule with at most 1 preemption explored (bounds 0 to 1 covered, up to reordering independent operations), bound 2 in progress when the run ended$" "$T/cut.txt" &&
	ok "the text says the same" || bad "the text: $(head -5 "$T/cut.txt")"
e=$(key "$T/cut.json" estimated_total)
x=$(key "$T/cut.json" executions)
python3 -c "import sys; sys.exit(not (float('$e') > $x))" && ok "the estimate is above the executions ($e)" ||
	bad "estimate $e, executions $x"

# the same command, the same JSON but for timing
strip() { sed -E 's/"(elapsed_s|execs_per_s)":[0-9.e+-]*//g' "$1"; }
run driver-fault-race --iterations $n --jobs 2 --json >"$T/cut2.json" 2>"$T/err"
[[ $(strip "$T/cut.json") == "$(strip "$T/cut2.json")" ]] && ok "a second run: the same JSON" || bad "the JSON differs between runs"

# unfair cuts in round 1 cover nothing from there on
c=owner-p2p-migrate@mutable-marked
run $c --preemptions 1 --step-bound 1000 --jobs 2 --json >"$T/u.json" 2>"$T/err"
got=$(key "$T/u.json" exhausted bound_completed bound_in_progress)
[[ $got == "false 0 1" && $(key "$T/u.json" unfair_cut) != 0 ]] &&
	ok "unfair cuts in round 1: bound 0 covered, not 1" || bad "unfair cuts: got '$got'"
run $c --preemptions 1 --step-bound 1000 --jobs 2 >"$T/u.txt" 2>"$T/err"
grep -q "bound 1 not: an execution was cut as unfair in it (below); the run ended in bound 1$" "$T/u.txt" &&
	ok "the text says why" || bad "the text: $(grep deepen "$T/u.txt")"

# a bounded run says whether its bound left anything out, and merge too
"$H" explore lost-update-fixed --strategy dpor --preemptions 20 --json --no-progress >"$T/p.json" 2>"$T/err"
[[ $(key "$T/p.json" exhausted whole_tree) == "true true" ]] && ok "a bound that cut nothing: whole_tree" ||
	bad "bound 20: $(key "$T/p.json" exhausted whole_tree)"
"$H" explore lost-update-fixed --strategy dpor --preemptions 20 --jobs 2 --no-progress >"$T/p.txt" 2>"$T/err"
grep -q "^no violation: exhausted: true, every execution up to reordering independent operations: the bound of 20 preemptions left nothing out, in [0-9]* executions$" "$T/p.txt" &&
	ok "and its text says so" || bad "its text: $(cat "$T/p.txt")"
"$H" explore lost-update-fixed --strategy dpor --preemptions 20 --no-progress --html "$T/p.html" >/dev/null 2>&1
grep -q 'id="verdict">clean: no violation in [0-9]* executions, exhausted: every schedule up to reordering independent operations' "$T/p.html" &&
	ok "and its --html" || bad "its --html: $(grep -o 'id="verdict">[^<]*' "$T/p.html")"
"$H" explore driver-fault-race --strategy dpor --preemptions 0 --json --no-progress >"$T/p0.json" 2>"$T/err"
[[ $(key "$T/p0.json" exhausted whole_tree) == "true false" ]] && ok "bound 0 of driver-fault-race: not whole" ||
	bad "bound 0: $(key "$T/p0.json" exhausted whole_tree)"
for p in 0 20; do
	for k in 0 1; do
		"$H" explore lost-update-fixed --strategy dpor --preemptions $p --shard $k/2 --json --no-progress >"$T/s$p-$k.json" 2>"$T/err"
	done
	"$H" merge "$T/s$p-0.json" "$T/s$p-1.json" >"$T/m$p.json" 2>"$T/err"
	want=$([[ $p == 20 ]] && echo true || echo false)
	[[ $(key "$T/m$p.json" exhausted whole_tree) == "true $want" ]] && ok "merge of bound $p shards: whole_tree $want" ||
		bad "merge of bound $p: $(key "$T/m$p.json" exhausted whole_tree)"
done

# merge: a single bounded result keeps its bound; a --deepen result is refused
"$H" merge "$T/p0.json" >"$T/m.json" 2>"$T/err"
[[ $(key "$T/m.json" exhausted bound covers_bound whole_tree) == "true 0 true false" ]] &&
	ok "merge of one bounded result: bound 0, not the whole tree" ||
	bad "merge of one bounded result: $(key "$T/m.json" exhausted bound covers_bound whole_tree)"
expect_exit 2 "merge of a --deepen result" "$H" merge "$T/b2.json"
[[ $(wc -l <"$T/err") -eq 1 ]] && grep -q "a --deepen result" "$T/err" && ok "one line saying why" ||
	bad "the message: $(cat "$T/err")"

# wrong uses
for bad_use in "--shard 0/2" "--split-depth 2"; do
	# shellcheck disable=SC2086
	expect_exit 2 "--deepen with $bad_use" "$H" explore lost-update-fixed --strategy dpor $bad_use --deepen --no-progress
	[[ $(wc -l <"$T/err") -eq 1 ]] && grep -q -- "--deepen.*(see hmmsim --help)" "$T/err" && ok "one line naming --deepen" ||
		bad "the message: $(cat "$T/err")"
done
expect_exit 0 "--split-depth with --jobs" run lost-update-fixed --jobs 2 --split-depth 3

finish dpor-deepen-jobs
