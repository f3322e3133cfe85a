#!/usr/bin/env bash
# A 4-shard campaign run by GNU parallel with the very lines docs/campaigns.md
# shows, then hmmsim merge: the merged result must be the unsharded run's
# (same executions, seeds, violations and tokens; timing fields aside).
# Usage: campaign_parallel.sh PATH/TO/hmmsim PATH/TO/docs/campaigns.md
set -u
H=${1:?usage: campaign_parallel.sh PATH/TO/hmmsim PATH/TO/campaigns.md}
DOC=${2:?usage: campaign_parallel.sh PATH/TO/hmmsim PATH/TO/campaigns.md}
. "$(dirname "$0")/lib.sh"

if ! command -v parallel >/dev/null || ! parallel --version 2>/dev/null | grep -q '^GNU parallel'; then
	echo "FAIL: this test needs GNU parallel (Debian package 'parallel'; scripts/bootstrap installs it)"
	exit 1
fi
H=$(cd "$(dirname "$H")" && pwd)/$(basename "$H")
DOC=$(cd "$(dirname "$DOC")" && pwd)/$(basename "$DOC")
# the lines of docs/campaigns.md call `hmmsim`: this build's
mkdir "$T/bin" && ln -s "$H" "$T/bin/hmmsim"
export PATH="$T/bin:$PATH"
cd "$T" || exit 1

run_shards="parallel --will-cite -j4 'hmmsim explore driver-fault-race-noretry --strategy pct --iterations 4000 --seed 7 --keep-going --max-reports 100000 --no-minimize --shard {}/4 --json > shard-{}.json; test \$? -le 1' ::: 0 1 2 3"
merge='hmmsim merge shard-*.json > campaign.json'
for l in "$run_shards" "$merge"; do
	grep -qxF "$l" "$DOC" && ok "docs/campaigns.md shows: $l" || bad "docs/campaigns.md does not show the line this test runs: $l"
done

eval "$run_shards" && ok "4 shards through GNU parallel" || bad "4 shards through GNU parallel: exit $?"
eval "$merge"
rc=$?
[[ $rc == 1 ]] && ok "merge: violations found (exit 1)" || bad "merge: exit $rc, want 1"
hmmsim explore driver-fault-race-noretry --strategy pct --iterations 4000 --seed 7 --keep-going \
	--max-reports 100000 --no-minimize --json >unsharded.json
# (and without "coverage": one process's, which merge and --jobs do not combine)
untimed() { sed -E 's/"elapsed_s":[0-9.e+-]+,"execs_per_s":[0-9.e+-]+//; s/"shards":[0-9]+,//; s/,"coverage":.*,"version"/,"version"/' "$1"; }
grep -q '"shards":4,' campaign.json && ok "merge: 4 shards" || bad "merge: 4 shards"
for s in 0 1 2 3; do
	grep -q "\"executions\":1000,.*\"shard\":\"$s/4\"" shard-$s.json && ok "shard $s/4: 1000 executions" || bad "shard $s/4: 1000 executions"
done
nv=$(grep -o '"execution":' unsharded.json | wc -l)
((nv > 1)) && ok "the unsharded run has $nv violations" || bad "the unsharded run has several violations ($nv)"
cmp -s <(untimed unsharded.json) <(untimed campaign.json) && ok "merged campaign = unsharded run" || {
	bad "merged campaign = unsharded run"
	diff <(untimed unsharded.json | tr ',' '\n') <(untimed campaign.json | tr ',' '\n') | head
}

finish
