#!/usr/bin/env bash
# dpor's estimate in split runs (issue 11 items 7 and 8): each shard
# estimates its own share of the tree, so the shards' estimates summed by
# hmmsim merge (and by the progress line of --jobs) estimate the whole tree,
# as one process does; they used to count the split's forced alternatives as
# large as the first branch, up to the product of the widths above the split
# (364,000x on readers-8, 8,700x on driver-fault-race).  docs/dpor.md,
# "How far along is it".
# Usage: dpor_estimate.sh PATH/TO/hmmsim
set -u
H=${1:?usage: dpor_estimate.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

# KEY of a --json result (or of hmmsim merge's)
key() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# is A/B within a factor F either way?  prints the ratio
within() {
	python3 -c 'import sys; a, b, f = map(float, sys.argv[1:]); r = a / b if b else float("inf")
print("%.3g" % r); sys.exit(0 if 1 / f <= r <= f else 1)' "$1" "$2" "$3"
}
# Shards K/2 of SC, each with --iterations N, merged into $T/m.json.
shards() {
	local sc=$1 n=$2
	for k in 0 1; do
		"$H" explore "$sc" --strategy dpor --iterations "$n" --shard $k/2 --json \
			--no-progress >"$T/s$k.json"
	done
	"$H" merge "$T/s0.json" "$T/s1.json" >"$T/m.json"
}

# Trees that do not finish: the two shards' merged estimate after N
# executions each against one process's after 2N.  The single estimate
# itself moves by 10x to 40x between such budgets, so the factor is 20 (it
# was 10 until p2p-unplug-safe's tree changed shape: 0.091x at 2 x 1000;
# the split's old error was 8,700x to 364,000x).
for sc in driver-fault-race p2p-unplug-safe; do
	for n in 1000 4000; do
		"$H" explore $sc --strategy dpor --iterations $((2 * n)) --json --no-progress >"$T/one.json"
		shards $sc $n
		one=$(key "$T/one.json" estimated_total) two=$(key "$T/m.json" estimated_total)
		r=$(within "$two" "$one" 20) && ok "$sc, 2 x $n: merged $two, one process $one ($r x)" ||
			bad "$sc, 2 x $n: merged $two, one process $one ($r x, not within 20x)"
	done
done

# Trees that finish: the merged estimate at 10% and 50% of the true total
# against it (one process's worst at those points is 4.6x, docs/dpor.md).
# The total is the split tree's (--jobs 1), not unsplit dpor's (p2p-importer-
# unload: 2,620 and 3,517; docs/dpor.md, "Splitting the tree").
for sc in readers-8 lastzero-10 p2p-importer-unload; do
	"$H" explore $sc --strategy dpor --jobs 1 --json --no-progress >"$T/all.json"
	tot=$(key "$T/all.json" executions)
	for pc in 10 50; do
		shards $sc $((tot * pc / 200))
		two=$(key "$T/m.json" estimated_total)
		r=$(within "$two" "$tot" 5) && ok "$sc at $pc%: merged $two of $tot ($r x)" ||
			bad "$sc at $pc%: merged $two of $tot ($r x, not within 5x)"
	done
	# at the end: exact
	shards $sc 100000000
	got="$(key "$T/m.json" estimated_total) $(key "$T/m.json" executions) $(key "$T/m.json" exhausted)"
	[[ $got == "$tot $tot True" ]] && ok "$sc, 2 shards to the end: estimate = executions = $tot" ||
		bad "$sc, 2 shards to the end: estimate, executions, exhausted: $got (want $tot)"
	"$H" explore $sc --strategy dpor --jobs 2 --json --no-progress >"$T/j.json"
	got="$(key "$T/j.json" estimated_total) $(key "$T/j.json" executions)"
	[[ $got == "$tot $tot" ]] && ok "$sc --jobs 2: estimate = executions = $tot" ||
		bad "$sc --jobs 2: estimate, executions: $got (want $tot)"
done

# The progress line of --jobs (on a terminal): the workers' estimates summed
# as its total, of the order of one process's.
if command -v script >/dev/null; then
	script -qec "$H explore driver-fault-race --strategy dpor --jobs 2 --iterations 40000 \
		--json >$T/p.json" /dev/null >"$T/tty" 2>&1
	last=$(tr '\r' '\n' <"$T/tty" | grep -E '^hmmsim: [0-9]+/[0-9]+ executions' | tail -1)
	tot=$(sed -E 's|^hmmsim: [0-9]+/([0-9]+) executions.*|\1|' <<<"$last")
	"$H" explore driver-fault-race --strategy dpor --iterations 40000 --json --no-progress >"$T/one.json"
	one=$(key "$T/one.json" estimated_total)
	if [[ -z $last ]]; then
		bad "--jobs 2 progress line: no total shown ($(tr '\r' '\n' <"$T/tty" | tail -1))"
	else
		r=$(within "$tot" "$one" 10) && ok "--jobs 2 progress line: $last ($r x one process)" ||
			bad "--jobs 2 progress line: $last (one process $one, $r x)"
	fi
else
	echo "skip the progress line: no script(1)"
fi

finish
