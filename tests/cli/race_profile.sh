#!/usr/bin/env bash
# explore --race-profile (docs/dpor.md, "Where the executions come from"):
# the executions of a dpor run by the pair of racing operations whose race
# began each.  readers-N's counts are known exactly (every execution but the
# first is begun by a reader's read racing the writer's write), the counts
# add up to the run's executions in one process, with --jobs and merged
# from shards, a run repeats them, the text names the pair, and a wrong use
# or a damaged file is refused.
# Usage: race_profile.sh PATH/TO/hmmsim SCENARIO_DIR
set -u
H=${1:?usage: race_profile.sh PATH/TO/hmmsim SCENARIO_DIR}
D=${2:?usage: race_profile.sh PATH/TO/hmmsim SCENARIO_DIR}
. "$(dirname "$0")/lib.sh"

# prof FILE: "executions no_race pair1-executions sum" of a --json result
prof() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d.get("race_profile")
if p is None:
    print(d["executions"], "none"); sys.exit()
s = p["no_race"] + sum(x["executions"] for x in p["pairs"])
top = p["pairs"][0]["executions"] if p["pairs"] else 0
print(d["executions"], p["no_race"], top, s)' "$1"
}
pairs() {
	python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["race_profile"], sort_keys=True))' "$1"
}
run() { "$H" explore "$@" --strategy dpor --race-profile --json --no-progress --no-minimize; }

for n in 1 2 3 4 5 6; do
	run readers-$n >"$T/r.json" 2>"$T/err"
	want="$((1 << n)) 1 $((((1 << n)) - 1)) $((1 << n))"
	got=$(prof "$T/r.json")
	[[ $got == "$want" ]] && ok "readers-$n: $((((1 << n)) - 1)) executions begun by the reader/writer race, 1 by none" ||
		bad "readers-$n: got '$got' (executions no_race top sum), want '$want'"
done
python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["race_profile"]["pairs"]
assert len(p) == 1 and p[0]["first"] == "readers_reader: read r->x (reader)" and p[0]["second"] == "readers_writer: write r->x (writer)", p' "$T/r.json" &&
	ok "readers-6: the pair is the reader's read and the writer's write of r->x" || bad "readers-6: the pair's names"

# one process, --jobs 2 and 3, and two shards merged: the counts add up
f="$D/mremap-mirror.hsc"
run "$f" >"$T/one.json" 2>"$T/err"
read -r ex nr top sum <<<"$(prof "$T/one.json")"
[[ $ex -gt 100 && $sum == "$ex" && $top -gt 0 ]] && ok "mremap-mirror.hsc: the profile adds up to its $ex executions" ||
	bad "mremap-mirror.hsc: executions $ex, profile sum $sum, top $top"
run "$f" >"$T/again.json" 2>"$T/err"
[[ $(pairs "$T/one.json") == "$(pairs "$T/again.json")" ]] && ok "the same command gives the same profile" || bad "two runs gave two profiles"
for j in 2 3; do
	run "$f" --jobs $j >"$T/j.json" 2>"$T/err"
	read -r jex jnr jtop jsum <<<"$(prof "$T/j.json")"
	[[ $jex == "$ex" && $jsum == "$ex" ]] && ok "--jobs $j: the profile adds up to the same $ex executions" ||
		bad "--jobs $j: executions $jex, profile sum $jsum (one process: $ex)"
done
run "$f" --shard 0/2 >"$T/s0.json" 2>"$T/err"
run "$f" --shard 1/2 >"$T/s1.json" 2>"$T/err"
"$H" merge "$T/s0.json" "$T/s1.json" >"$T/m.json" 2>"$T/err"
read -r mex mnr mtop msum <<<"$(prof "$T/m.json")"
[[ $mex == "$ex" && $msum == "$ex" ]] && ok "merge of 2 shards: the profile adds up to the same $ex executions" ||
	bad "merge: executions $mex, profile sum $msum (one process: $ex)"
# the same shards indented, keys in another order (race_profile and
# split_items among them): the same merged bytes
for k in 0 1; do
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); json.dump(dict(reversed(list(d.items()))), open(sys.argv[2], "w"), indent=2)' \
		"$T/s$k.json" "$T/p$k.json"
done
"$H" merge "$T/p0.json" "$T/p1.json" >"$T/pm.json" 2>"$T/err"
cmp -s "$T/m.json" "$T/pm.json" && ok "merge of the shards indented, keys reversed: the same bytes" ||
	bad "merge of indented shards: $(head -c 300 "$T/err") $(cmp "$T/m.json" "$T/pm.json")"
run readers-6 --jobs 2 >"$T/rj.json" 2>"$T/err"
run readers-6 >"$T/r1.json" 2>"$T/err"
[[ $(pairs "$T/rj.json") == "$(pairs "$T/r1.json")" ]] && ok "readers-6 --jobs 2: the same profile as one process" || bad "readers-6 --jobs 2: another profile"

# the text: the run's executions, the top pair on two lines, the rest
"$H" explore "$f" --strategy dpor --race-profile --no-progress >"$T/out" 2>"$T/err"
grep -q "^race profile: the $ex executions by the race that began each" "$T/out" &&
	grep -A1 "^race profile" "$T/out" | tail -1 | grep -q "hs_mmu_interval_read_begin: read s->invalidate_seq (device)" &&
	grep -A2 "^race profile" "$T/out" | tail -1 | grep -q "mn_itree_inv_end: write s->invalidate_seq (cpu)" &&
	grep -q "no race: the first execution" "$T/out" &&
	ok "text: the executions, the top pair (the notifier's sequence read against the invalidation's write), no race" ||
	{
		bad "text"
		cat "$T/out"
	}
"$H" explore "$f" --strategy dpor --json --no-progress >"$T/plain.json" 2>"$T/err"
[[ $(prof "$T/plain.json") == "$ex none" ]] && ok "without --race-profile: no race_profile in the JSON" || bad "race_profile without the flag"

# wrong use, damaged input
expect_exit 2 "--race-profile with --strategy pct" "$H" explore readers-2 --strategy pct --race-profile
grep -q "race-profile works with --strategy dpor" "$T/err" && [[ $(wc -l <"$T/err") -le 2 ]] && ok "it says so" || bad "the message: $(cat "$T/err")"
sed 's/"no_race":[0-9]*/"no_race":x/' "$T/s0.json" >"$T/bad.json"
expect_exit 2 "merge of a damaged race_profile" "$H" merge "$T/bad.json" "$T/s1.json"
grep -qE "race_profile is damaged|damaged race_profile" "$T/err" && ok "merge names it" || bad "merge message: $(cat "$T/err")"
finish race-profile
