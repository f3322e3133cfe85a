#!/usr/bin/env bash
# Every scenario file's expect line against dpor's first executions: a file
# that expects a violation of KIND must not show dpor another kind first, and
# a file that expects clean must show dpor no violation within its budget
# (probe rounds at 0, 1, 2 preemptions, then 1,000 executions of the
# unbounded tree).  A file's own explore line may sample (pct) or bound (dfs);
# this keeps its `expect clean` from claiming what a counterexample a few
# hundred dpor executions away disproves (shared.hsc and loops.hsc did).
# Usage: dpor_expect.sh PATH/TO/hmmsim SCENARIO_DIR
set -u
H=${1:?usage: dpor_expect.sh PATH/TO/hmmsim SCENARIO_DIR}
D=${2:?usage: dpor_expect.sh PATH/TO/hmmsim SCENARIO_DIR}
. "$(dirname "$0")/lib.sh"

n=0
for f in "$D"/*.hsc; do
	want=$(sed -n 's/^expect clean.*/clean/p; s/^expect violation \([a-z-]*\).*/\1/p' "$f" | head -1)
	[[ -n $want ]] || continue
	n=$((n + 1))
	"$H" explore "$f" --strategy dpor --iterations 1000 --json --no-progress --no-minimize >"$T/r.json" 2>"$T/err"
	rc=$?
	got=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["violations"]; print(v[0]["kind"] if v else "clean")' "$T/r.json" 2>/dev/null)
	if [[ $got == "$want" && ($rc == 0 || $rc == 1) ]]; then
		ok "$(basename "$f"): expects $want, dpor's first executions agree"
	else
		bad "$(basename "$f"): expects $want, dpor found ${got:-nothing (exit $rc: $(head -1 "$T/err"))}"
		python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["violations"]; print("     ", v[0]["message"], "\n      replay:", v[0]["schedule"]) if v else None' "$T/r.json" 2>/dev/null
	fi
done
((n > 50)) && ok "$n files with an expect line" || bad "only $n files with an expect line"
finish
