#!/usr/bin/env bash
# hmmsim catalog --exhaustive --cell-budget B: a budget in executions is the
# cell's cap, a time has none (the clock ends the cell, not the default of
# 200,000 executions; issue: a 60s budget stopped at 200,000), the JSON
# names the budget it used, the last --cell-budget counts (experiment owner
# too), the HTML page names the time, the text's plurals.
# Usage: catalog_exhaustive.sh PATH/TO/hmmsim
set -u
H=${1:?usage: catalog_exhaustive.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

# json NAME PYTHON-ASSERTIONS: on d, the JSON object of $T/out
json() {
	if python3 -c "import json, sys
d = json.load(open('$T/out'))
$2" 2>"$T/py"; then ok "$1"; else
		bad "$1: $(tail -1 "$T/py")"
	fi
}
# migrate-no-dirty-copy: both cells exhausted in one dpor execution each
C=("$H" catalog migrate-no-dirty-copy --exhaustive)

expect_exit 0 "--cell-budget 1s --json" "${C[@]}" --cell-budget 1s --json
json "a time: cell_budget in seconds, no cap in executions (iterations null)" \
	'assert d["cell_budget"] == {"seconds": 1} and d["iterations"] is None, (d["cell_budget"], d["iterations"])
assert d["strategy"] == "dpor"
e = d["entries"][0]
assert e["exhausted"] and e["clean"] == "exhaustive" and e["bug_by_dpor"], e'
expect_exit 0 "--cell-budget 250000 --json" "${C[@]}" --cell-budget 250000 --json
json "above the old cap: 250000 executions, as given" \
	'assert d["cell_budget"] == {"executions": 250000} and d["iterations"] == 250000, d["cell_budget"]'
expect_exit 0 "no --cell-budget --json" "${C[@]}" --json
json "the default: 200000 executions" \
	'assert d["cell_budget"] == {"executions": 200000} and d["iterations"] == 200000, d["cell_budget"]'
expect_exit 0 "--cell-budget 5 --cell-budget 1s" "${C[@]}" --cell-budget 5 --cell-budget 1s --json
json "the last --cell-budget counts (a time)" 'assert d["cell_budget"] == {"seconds": 1}, d["cell_budget"]'
expect_exit 0 "--cell-budget 1s --cell-budget 5" "${C[@]}" --cell-budget 1s --cell-budget 5 --json
json "the last --cell-budget counts (executions)" \
	'assert d["cell_budget"] == {"executions": 5} and d["iterations"] == 5, d["cell_budget"]'
X=("$H" experiment owner --exhaustive --policy pointer --scenario change-fault --json)
expect_exit 0 "experiment: --cell-budget 1s --cell-budget 7" "${X[@]}" --cell-budget 1s --cell-budget 7
json "experiment: the last --cell-budget counts" 'assert d["cell_budget"] == {"executions": 7}, d["cell_budget"]'
expect_exit 0 "experiment: --cell-budget 1s" "${X[@]}" --cell-budget 1s
json "experiment: a time" 'assert d["cell_budget"] == {"seconds": 1}, d["cell_budget"]'

# the text: one execution, singular
expect_exit 0 "--cell-budget 1s, text" "${C[@]}" --cell-budget 1s
grep -q '^    fix: clean (exhaustive, 1 execution)$' "$T/out" && ok "text: clean (exhaustive, 1 execution)" ||
	bad "text: $(grep 'fix:' "$T/out")"
# the HTML page's parameters: the time, not a cap of 2^64-1 iterations
expect_exit 0 "--cell-budget 1s --html" "${C[@]}" --cell-budget 1s --html "$T/c.html"
grep -q 'strategy dpor, 1 s per cell, seed 1' "$T/c.html" && ! grep -q 18446744073709551615 "$T/c.html" &&
	ok "html: strategy dpor, 1 s per cell" || bad "html: $(grep -o 'strategy [^<]*' "$T/c.html" | head -1)"

# a fix dpor samples (kfd-userptr-notifier-lock: driver-fault-race, far
# beyond 3000 executions): dpor --deepen after it in the same budget, whose
# bound is the one explore --deepen covers in 3000 executions; a fix dpor
# exhausts has none
K=("$H" catalog kfd-userptr-notifier-lock --exhaustive --cell-budget 3000)
expect_exit 0 "a sampled fix --json" "${K[@]}" --json
"$H" explore driver-fault-race --strategy dpor --deepen --iterations 3000 --json --no-progress >"$T/deepen.json"
json "a sampled fix: fixed_bound and fixed_deepen_executions, as explore --deepen" \
	'e = d["entries"][0]
x = json.load(open("'"$T"'/deepen.json"))
assert e["clean"] == "sampled" and not e["exhausted"], e
assert e["fixed_bound"] == x["bound_completed"] == 1, (e["fixed_bound"], x["bound_completed"])
assert e["fixed_deepen_executions"] == x["executions"] == 3000, e'
expect_exit 0 "a sampled fix, text" "${K[@]}"
grep -Eq '^    fix: clean \(sampled, [0-9]+ executions; and every schedule with at most 1 preemption, by dpor --deepen in 3000 executions\)$' "$T/out" &&
	ok "text: the bound after the sample" || bad "text: $(grep 'fix:' "$T/out")"
expect_exit 0 "an exhausted fix --json" "${C[@]}" --json
json "an exhausted fix has no fixed_bound" 'assert "fixed_bound" not in d["entries"][0], d["entries"][0]'

finish catalog-exhaustive
