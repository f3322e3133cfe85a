#!/usr/bin/env bash
# explore --strategy dpor --jobs J and --shard K/N (issue 11 item 8): --jobs 1,
# 2 and 3 and two shards merged give the same verdict, the same executions
# and sleep-set blocked ones, and exhausted: true; a bug is found whatever
# J, and with --keep-going every J and the merge count the same executions
# and violations; dfs stays unsharded and --split-depth is dpor's.
# Usage: dpor_parallel.sh PATH/TO/hmmsim
set -u
H=${1:?usage: dpor_parallel.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

# "executions sleep_blocked violations_found exhausted races probe_executions"
# of a --json result (races and probes: a worker's probes of the others'
# subtrees and its probe rounds counted J times before)
fig() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["executions"], d["sleep_blocked"], d["violations_found"], d["exhausted"], d["races"], d["probe_executions"])' "$1"
}

# Both files have the same "coverage" object, and it counts their executions.
cov_same() {
	python3 -c 'import json,sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
ca, cb = a.get("coverage"), b.get("coverage")
sys.exit(not (ca and ca == cb and cb["executions"] == b["executions"]))' "$1" "$2"
}

for sc in seqcount-noretry-fixed readers-6 lastzero-5 p2p-importer-unload; do
	for j in 1 2 3; do
		"$H" explore $sc --strategy dpor --jobs $j --json --no-progress >"$T/j$j.json"
		rc=$?
		[[ $rc == 0 ]] && ok "$sc --jobs $j: exit 0" || bad "$sc --jobs $j: exit $rc"
	done
	for k in 0 1; do
		"$H" explore $sc --strategy dpor --shard $k/2 --json --no-progress >"$T/s$k.json"
	done
	"$H" merge "$T/s0.json" "$T/s1.json" >"$T/m.json"
	rc=$?
	[[ $rc == 0 ]] && ok "$sc: merge of 2 shards: exit 0" || bad "$sc: merge: exit $rc"
	want=$(fig "$T/j1.json")
	[[ $want == *" 0 True "* ]] && ok "$sc --jobs 1: clean, exhausted ($want)" || bad "$sc --jobs 1: $want"
	for f in j2 j3 m; do
		got=$(fig "$T/$f.json")
		[[ $got == "$want" ]] && ok "$sc $f: the same figures as --jobs 1" ||
			bad "$sc $f: $got, --jobs 1: $want"
		# the coverage, added up over the workers or shards (lock classes
		# in another order, hence compared as objects)
		cov_same "$T/j1.json" "$T/$f.json" && ok "$sc $f: the same coverage as --jobs 1" ||
			bad "$sc $f: another coverage than --jobs 1's"
	done
done

# A bug: found whatever J, and by the shards' merge.
for j in 1 2 3; do
	"$H" explore p2p-importer-unload-nowait --strategy dpor --jobs $j --json --no-progress >"$T/b.json"
	rc=$?
	n=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["violations"]), d["violations"][0]["kind"] if d["violations"] else "")' "$T/b.json")
	[[ $rc == 1 && $n == "1 use-after-free" ]] && ok "bug, --jobs $j: found ($n)" || bad "bug, --jobs $j: exit $rc, $n"
done
for k in 0 1; do
	"$H" explore p2p-importer-unload-nowait --strategy dpor --shard $k/2 --json --no-progress >"$T/b$k.json"
done
"$H" merge "$T/b0.json" "$T/b1.json" >/dev/null
rc=$?
[[ $rc == 1 ]] && ok "bug: merge of 2 shards: exit 1" || bad "bug: merge: exit $rc"
# a run with a violation has no coverage (it would count executions the run
# did not), merged or --jobs
"$H" merge "$T/b0.json" "$T/b1.json" >"$T/bm.json"
python3 -c 'import json,sys; sys.exit(any("coverage" in json.load(open(f))for f in sys.argv[1:]))' \
	"$T/b.json" "$T/bm.json" && ok "bug: no coverage, --jobs 3 or merged" ||
	bad "bug: a coverage, --jobs 3 or merged"
# pct shards may run one schedule twice: the distinct schedules merged are
# the largest shard's, a lower bound
"$H" explore lost-update-fixed --strategy pct --iterations 300 --json --no-progress >"$T/p.json"
"$H" explore lost-update-fixed --strategy pct --iterations 300 --jobs 2 --json --no-progress >"$T/p2.json"
python3 -c 'import json,sys
a, b = (json.load(open(f))["coverage"] for f in sys.argv[1:])
sys.exit(not (b["distinct_capped"] and b["distinct_schedules"] <= a["distinct_schedules"] and
	b["executions"] == a["executions"] and b["choice_points"] == a["choice_points"] and
	b["events"] == a["events"] and b["threads"] == a["threads"]))' "$T/p.json" "$T/p2.json" &&
	ok "pct --jobs 2: the coverage added up, distinct schedules at least the largest worker's" ||
	bad "pct --jobs 2: coverage $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("coverage"))' "$T/p2.json")"
tok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["violations"][0]["schedule"])' "$T/b.json")
"$H" replay p2p-importer-unload-nowait --schedule "$tok" >/dev/null
rc=$?
[[ $rc == 1 ]] && ok "bug: its token replays the violation" || bad "bug: replay: exit $rc"

# --keep-going, programs with bugs: every process explores its subtrees to
# the end, so --jobs 1, 2, 3 and 2 shards merged give the same executions,
# sleep-set blocked ones and violations, and exit 1.  (abba, lock-order.hsc:
# the lock-order graph spans one subtree, not the executions one process
# happens to run; before, --jobs 3 counted 4 and 15 executions, not 3 and 10.
# driver-fault-race-noretry at bound 1: 2,519 executions, 21 violations; at
# bound 2, since the bound covers, 179,416, 20 s a run here and minutes
# under a sanitizer.)
HSC=$(dirname "$0")/../scenarios/lock-order.hsc
while read -r sc args; do
	name="$sc${args:+ $args} --keep-going"
	for j in 1 2 3; do
		"$H" explore $sc --strategy dpor $args --keep-going --jobs $j --json --no-progress >"$T/k$j.json"
		rc=$?
		[[ $rc == 1 ]] || bad "$name --jobs $j: exit $rc"
	done
	for k in 0 1; do
		"$H" explore $sc --strategy dpor $args --keep-going --shard $k/2 --json --no-progress >"$T/s$k.json"
	done
	"$H" merge "$T/s0.json" "$T/s1.json" >"$T/m.json"
	rc=$?
	[[ $rc == 1 ]] || bad "$name: merge of 2 shards: exit $rc"
	want=$(fig "$T/k1.json")
	[[ $want == *" True "* && $want != *" 0 True "* ]] || bad "$name --jobs 1: $want"
	for f in k2 k3 m; do
		got=$(fig "$T/$f.json")
		[[ $got == "$want" ]] && ok "$name $f: the same figures as --jobs 1 ($want)" ||
			bad "$name $f: $got, --jobs 1: $want"
	done
done <<LIST
lost-update
seqcount-noretry
abba
livelock
driver-fault-race-noretry --preemptions 1
$HSC
LIST

# Without --keep-going, a bug: one process explores the subtrees in order
# and stops at the first violation; --jobs 1, 2, 3 and 2 shards merged give
# its executions, figures, report, execution index and token (the merge
# adds up each shard's split_items to the lowest subtree with a violation).
# Before, each worker's executions up to its own first violation were
# summed: driver-fault-race-noretry --preemptions 1 ran 782, 886, 1,053
# executions for J = 1, 2, 3 and J = 2 reported another violation;
# lost-update --preemptions 0 (a bug above the split) counted one per
# worker.  seqcount-noretry: a probe round's, the same for every J too.
# "executions sleep_blocked races violations_found exhausted probe_bound
# execution token" of the first report
bug() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=d["violations"][0]; print(d["executions"], d["sleep_blocked"], d["races"], d["violations_found"], d["exhausted"], d.get("probe_bound"), v["execution"], v["schedule"])' "$1"
}
while read -r sc args; do
	name="$sc${args:+ $args}"
	for j in 1 2 3; do
		"$H" explore $sc --strategy dpor $args --jobs $j --json --no-progress >"$T/v$j.json"
		rc=$?
		[[ $rc == 1 ]] || bad "$name --jobs $j: exit $rc"
	done
	for k in 0 1; do
		"$H" explore $sc --strategy dpor $args --shard $k/2 --json --no-progress >"$T/s$k.json"
	done
	"$H" merge "$T/s0.json" "$T/s1.json" >"$T/m.json"
	rc=$?
	[[ $rc == 1 ]] || bad "$name: merge of 2 shards: exit $rc"
	# shards each run with --jobs 2: their JSON lists their workers' subtrees
	for k in 0 1; do
		"$H" explore $sc --strategy dpor $args --shard $k/2 --jobs 2 --json --no-progress >"$T/sj$k.json"
	done
	"$H" merge "$T/sj0.json" "$T/sj1.json" >"$T/mj.json"
	want=$(bug "$T/v1.json")
	[[ $want == *" 1 False "* ]] || bad "$name --jobs 1: $want"
	for f in v2 v3 m mj; do
		got=$(bug "$T/$f.json")
		[[ $got == "$want" ]] && ok "$name $f: the same run and report as --jobs 1 ($want)" ||
			bad "$name $f: $got, --jobs 1: $want"
	done
	"$H" explore $sc --strategy dpor $args --jobs 2 --no-progress >"$T/v2.txt"
	"$H" explore $sc --strategy dpor $args --jobs 1 --no-progress >"$T/v1.txt"
	cmp -s <(sed 1d "$T/v1.txt") <(sed 1d "$T/v2.txt") &&
		ok "$name: the text of --jobs 2 is --jobs 1's (timing aside)" ||
		bad "$name: the text of --jobs 2 differs: $(diff <(sed 1d "$T/v1.txt") <(sed 1d "$T/v2.txt") | head -3)"
done <<LIST
driver-fault-race-noretry --preemptions 1
driver-fault-race-skip-own-migrate --preemptions 1
lost-update --preemptions 0
seqcount-noretry
$(dirname "$0")/../scenarios/busy-bounded-fatal.hsc --probes 0
$(dirname "$0")/../scenarios/reclaim-lock-page.hsc --preemptions 1
LIST
# (busy-bounded-fatal.hsc without probes: 9 executions sleep-set blocked
# before its violation, which one split process reports as execution 25,
# and so does the merge: 17 + 9 - 1)
BB=$(dirname "$0")/../scenarios/busy-bounded-fatal.hsc
"$H" explore "$BB" --strategy dpor --probes 0 --split-depth 2 --json --no-progress >"$T/one.json"
"$H" explore "$BB" --strategy dpor --probes 0 --jobs 2 --json --no-progress >"$T/two.json"
[[ $(bug "$T/one.json" | cut -d' ' -f1,2,4,7,8) == $(bug "$T/two.json" | cut -d' ' -f1,2,4,7,8) ]] &&
	ok "busy-bounded-fatal.hsc: --jobs 2 numbers the report as one split process ($(bug "$T/one.json" | cut -d' ' -f7))" ||
	bad "busy-bounded-fatal.hsc: one process $(bug "$T/one.json"), --jobs 2 $(bug "$T/two.json")"
# ... numbered as one process: the report is the last execution.
"$H" explore driver-fault-race-noretry --strategy dpor --preemptions 1 --jobs 3 --json --no-progress >"$T/v3.json"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["executions"], d["violations"][0]["execution"] + 1)' "$T/v3.json")
[[ $got == "782 782" ]] && ok "--jobs 3: 782 executions, the report is the last, as one process" ||
	bad "--jobs 3: executions, report + 1: $got (782 782 in one process)"
# A shard cut short by its budget before that subtree did not explore its
# part of the prefix: the merge adds up what the shards ran, as before
# (200 each: shard 1 finds the bug in subtree 9, shard 0 is still in 0).
for k in 0 1; do
	"$H" explore driver-fault-race-noretry --strategy dpor --preemptions 1 --shard $k/2 --iterations 200 --json --no-progress >"$T/s$k.json"
done
"$H" merge "$T/s0.json" "$T/s1.json" >"$T/m.json"
got=$(python3 -c 'import json,sys; f=[json.load(open(sys.argv[i])) for i in (1,2,3)]; print(f[2]["executions"] == f[0]["executions"] + f[1]["executions"], f[2]["violations_found"])' "$T/s0.json" "$T/s1.json" "$T/m.json")
[[ $got == "True 1" ]] && ok "a shard short of the violating subtree: the shards' executions summed" ||
	bad "a shard short of the violating subtree: $got"
# With a budget the workers' runs (each to its own first violation or its
# budget) do not depend on timing: the same JSON every time.
untimed() { sed -E 's/"elapsed_s":[0-9.e+-]+,"execs_per_s":[0-9.e+-]+//' "$1"; }
for i in 1 2 3 4; do
	"$H" explore seqcount-noretry --strategy dpor --preemptions 1 --iterations 15 --jobs 3 --json --no-progress | untimed /dev/stdin >"$T/it$i.json"
done
cmp -s "$T/it1.json" "$T/it2.json" && cmp -s "$T/it1.json" "$T/it3.json" && cmp -s "$T/it1.json" "$T/it4.json" &&
	ok "--iterations 15 --jobs 3 with a bug, four times: the same JSON" || bad "--iterations 15 --jobs 3: the JSON differs between runs"
# ... and subtrees and estimated_total of a bug's run are one process's
for j in 1 3; do
	"$H" explore seqcount-noretry --strategy dpor --preemptions 1 --jobs $j --json --no-progress >"$T/st$j.json"
done
st() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["subtrees"], d["estimated_total"] == d["executions"])' "$1"; }
[[ $(st "$T/st1.json") == "$(st "$T/st3.json")" && $(st "$T/st1.json") == *" True" ]] &&
	ok "a bug: subtrees and estimated_total as one process ($(st "$T/st3.json"))" ||
	bad "a bug: subtrees, estimate = executions: --jobs 1 $(st "$T/st1.json"), --jobs 3 $(st "$T/st3.json")"
# merge --partial with a shard missing: summed, not numbered as one process
"$H" explore seqcount-noretry --strategy dpor --preemptions 1 --shard 1/3 --json --no-progress >"$T/p1.json"
"$H" explore seqcount-noretry --strategy dpor --preemptions 1 --shard 2/3 --json --no-progress >"$T/p2.json"
"$H" merge --partial "$T/p1.json" "$T/p2.json" >"$T/pm.json" 2>/dev/null
got=$(python3 -c 'import json,sys; f=[json.load(open(sys.argv[i])) for i in (1,2,3)]; print(f[2]["executions"] == f[0]["executions"] + f[1]["executions"], f[2]["partial"])' "$T/p1.json" "$T/p2.json" "$T/pm.json")
[[ $got == "True True" ]] && ok "merge --partial of a bug's shards: summed, partial" || bad "merge --partial: $got"

# A damaged split_items array: one line naming the file, exit 2.
sed -E 's/"split_items":\[\[/"split_items":[[x/' "$T/s0.json" >"$T/bad.json"
"$H" merge "$T/bad.json" "$T/s1.json" >/dev/null 2>"$T/err"
rc=$?
[[ $rc == 2 && $(wc -l <"$T/err") == 1 ]] && grep -q "bad.json: a damaged split_items array" "$T/err" &&
	ok "merge: a damaged split_items is refused ($(cat "$T/err"))" || bad "merge of a damaged split_items: exit $rc, $(cat "$T/err")"
# ... and one that does not fit its file: zero figures, more executions
# than the file's, another shard's subtree
for edit in 's/"split_items":\[\[[0-9]+,[0-9]+,/"split_items":[[0,0,/' \
	's/"split_items":\[\[([0-9]+),[0-9]+,/"split_items":[[\1,99999999,/' \
	's/"split_items":\[\[[0-9]+,/"split_items":[[1,/'; do
	sed -E "$edit" "$T/s0.json" >"$T/bad.json"
	"$H" merge "$T/bad.json" "$T/s1.json" >/dev/null 2>"$T/err"
	rc=$?
	[[ $rc == 2 && $(wc -l <"$T/err") == 1 ]] && grep -q "bad.json: split_items that do not fit the file" "$T/err" &&
		ok "merge: split_items that do not fit are refused ($edit)" || bad "merge, $edit: exit $rc, $(cat "$T/err")"
done

# The workers of a --jobs run hand the subtrees out as they reach them
# ("split_claims": J in a worker's JSON, docs/dpor.md): the merge sees that
# no two explored one subtree and that none is left out.  Two shards of N = 2
# made into such workers merge as before; one listed twice, one left out, a
# count that does not fit the shards, or files that disagree: one line, exit 2.
for k in 0 1; do
	"$H" explore p2p-importer-unload --strategy dpor --shard $k/2 --json --no-progress >"$T/c$k.json"
done
claims() { # claims IN OUT [python edit of d]
	python3 - "$1" "$2" "${3:-pass}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["split_claims"] = 2
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}
claims "$T/c0.json" "$T/w0.json"
claims "$T/c1.json" "$T/w1.json"
"$H" merge "$T/c0.json" "$T/c1.json" >"$T/cm.json" 2>/dev/null
"$H" merge "$T/w0.json" "$T/w1.json" >"$T/wm.json" 2>"$T/err"
rc=$?
got=$(python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); print(a["executions"] == b["executions"] > 0, a["exhausted"], b["exhausted"])' "$T/cm.json" "$T/wm.json")
[[ $rc == 0 && $got == "True True True" ]] && ok "merge of workers that claimed their subtrees: as the shards" ||
	bad "merge of claiming workers: exit $rc, $got, $(cat "$T/err")"
for c in 'd["shard"] = "1/2"|two of the files explored subtree 0' 	'd["split_items"] = d["split_items"][1:]|the files explored' 	'd["split_claims"] = 3|a split_claims that does not fit the shards' 	'del d["split_claims"]|split_claims in some files and not in others'; do
	claims "$T/c0.json" "$T/x.json" "${c%%|*}"
	other=$T/w1.json
	[[ $c == *'"1/2"'* ]] && other=$T/w0.json
	"$H" merge "$other" "$T/x.json" >/dev/null 2>"$T/err"
	rc=$?
	[[ $rc == 2 && $(wc -l <"$T/err") == 1 ]] && grep -q "${c#*|}" "$T/err" &&
		ok "merge refuses workers' claims: ${c#*|}" || bad "merge, ${c%%|*}: exit $rc, $(cat "$T/err")"
done

# A violation cuts its execution short; the next operations the other
# threads announced there still race (cut_races() in dpor.c), so unsplit
# dpor reaches the class of lost-update that the split's full expansion
# reaches: 4 executions and 4 violations, as --jobs (it found 3 before).
"$H" explore lost-update --strategy dpor --keep-going --json --no-progress >"$T/lu.json"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["executions"], d["violations_found"])' "$T/lu.json")
[[ $got == "4 4" ]] && ok "lost-update --keep-going unsplit: 4 executions, 4 violations, as split" ||
	bad "lost-update --keep-going unsplit: $got, split: 4 4"

# A bounded dpor covers its bound (docs/dpor.md, "A bound that covers"):
# its summary says so, its JSON (one process, --jobs, merged shards) has the
# bound and covers_bound: true; an unbounded run has neither.
cov() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("bound"), d.get("covers_bound"), d.get("exhausted"), d.get("executions"))' "$1"
}
"$H" explore driver-fault-race --strategy dpor --preemptions 1 --no-progress >"$T/b.txt"
grep -q "^no violation: exhaustive within the bound, every schedule with at most 1 preemption up to reordering independent operations, in [0-9]* executions" "$T/b.txt" &&
	ok "bounded dpor: the summary says it covers the bound" ||
	bad "bounded dpor: $(grep violation "$T/b.txt")"
"$H" explore driver-fault-race --strategy dpor --preemptions 1 --json --no-progress >"$T/b1.json"
"$H" explore driver-fault-race --strategy dpor --preemptions 1 --jobs 2 --json --no-progress >"$T/b2.json"
for k in 0 1; do
	"$H" explore driver-fault-race --strategy dpor --preemptions 1 --shard $k/2 --json --no-progress >"$T/bs$k.json"
done
"$H" merge "$T/bs0.json" "$T/bs1.json" >"$T/bm.json"
want=$(cov "$T/b1.json")
[[ $want == "1 True True "* ]] && ok "bounded dpor: bound 1, covers_bound true, exhausted" ||
	bad "bounded dpor: $want"
# (a split tree's total is its own: --jobs and merged shards agree)
split=$(cov "$T/b2.json")
[[ $split == "1 True True "* && $(cov "$T/bm.json") == "$split" ]] &&
	ok "bounded dpor --jobs 2 and 2 shards merged: covers_bound true, the same ($split)" ||
	bad "bounded dpor --jobs 2: $split, merged: $(cov "$T/bm.json")"
"$H" explore driver-fault-race --strategy dpor --preemptions 1 --no-progress --html "$T/b.html" >/dev/null
grep -q "no violation in [0-9]* executions, exhausted within the bound: every schedule with at most 1 preemption" "$T/b.html" &&
	ok "bounded dpor --html: exhausted within the bound" || bad "bounded dpor --html: $(grep -o 'no violation in [^<]*' "$T/b.html")"
"$H" explore driver-fault-race --strategy dpor --iterations 50 --json --no-progress >"$T/u.json"
[[ $(cov "$T/u.json") == "None None False "* ]] && ok "unbounded dpor: no bound, no covers_bound" ||
	bad "unbounded dpor: $(cov "$T/u.json")"

# README's example of an exhausted dpor run is what the command prints.
README=$(dirname "$0")/../../README.md
line=$("$H" explore lost-update-fixed --strategy dpor --no-progress | grep '^no violation')
tr '\n' ' ' <"$README" | tr -s ' ' | grep -qF "ends with \`$line\`" &&
	ok "README: the dpor example is the output ($line)" || bad "README: the dpor example is not: $line"

# Same command, same bytes (timing aside).
untimed() { sed -E 's/"elapsed_s":[0-9.e+-]+,"execs_per_s":[0-9.e+-]+//' "$1"; }
"$H" explore readers-6 --strategy dpor --jobs 2 --json --no-progress >"$T/a.json"
"$H" explore readers-6 --strategy dpor --jobs 2 --json --no-progress >"$T/b.json"
cmp -s <(untimed "$T/a.json") <(untimed "$T/b.json") && ok "--jobs 2 twice: the same JSON" ||
	bad "--jobs 2 twice: the JSON differs"

# Refused with one line and exit 2.
for args in "--strategy dfs --jobs 2" "--strategy dfs --shard 0/2" "--strategy pct --split-depth 3" \
	"--strategy dpor --jobs 2 --split-depth 0"; do
	"$H" explore lost-update-fixed $args >"$T/out" 2>"$T/err"
	rc=$?
	[[ $rc == 2 && $(wc -l <"$T/err") == 1 ]] && ok "refused: $args ($(cat "$T/err"))" ||
		bad "$args: exit $rc, $(cat "$T/err")"
done

# --por-check of a split unbounded tree: the sleepers' check takes a split
# run's failed pure attempt as waking no sleeper, as the split does (it
# accused lost-update-fixed and abba-fixed, clean in one piece, with a token
# that did not replay), and the linearizations keep where a poller went on;
# clean however it is split, and --jobs 2, 3 and three shards merged count
# what --jobs 1 does.
for s in lost-update-fixed abba-fixed seqcount-noretry-fixed livelock-fixed; do
	"$H" explore $s --strategy dpor --por-check --jobs 1 --json --no-progress >"$T/one.json"
	want=$(fig "$T/one.json")
	[[ $want == *" 0 True "* ]] && ok "$s --por-check --jobs 1: clean ($want)" ||
		bad "$s --por-check --jobs 1: $want"
	for args in "--jobs 2" "--jobs 3" "--split-depth 1 --jobs 2"; do
		"$H" explore $s --strategy dpor --por-check $args --json --no-progress >"$T/p.json"
		rc=$?
		got=$(fig "$T/p.json")
		[[ $rc == 0 && $got == "$want" ]] && ok "$s --por-check $args: clean, as --jobs 1" ||
			bad "$s --por-check $args: exit $rc, $got, --jobs 1: $want"
	done
	for k in 0 1 2; do
		"$H" explore $s --strategy dpor --por-check --shard $k/3 --json --no-progress \
			>"$T/s$k.json" || bad "$s --por-check --shard $k/3: exit $?"
	done
	"$H" merge "$T/s0.json" "$T/s1.json" "$T/s2.json" >"$T/m.json"
	got=$(fig "$T/m.json")
	[[ $got == "$want" ]] && ok "$s --por-check: 3 shards merged, as --jobs 1" ||
		bad "$s --por-check: 3 shards merged: $got, --jobs 1: $want"
done
for args in "" "--deepen --jobs 2" "--preemptions 2 --jobs 2" "--preemptions 2 --shard 1/2"; do
	expect_exit 0 "lost-update-fixed --por-check ${args:-in one process}: clean" \
		"$H" explore lost-update-fixed --strategy dpor --por-check $args --iterations 2000 --no-progress
done

finish
