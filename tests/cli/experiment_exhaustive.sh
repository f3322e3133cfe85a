#!/usr/bin/env bash
# hmmsim experiment owner --exhaustive [--cell-budget B] on a few cells
# (--policy, --scenario): dpor exhausts the small clean cells ("clean
# (exhaustive, N executions)", JSON exhausted: true), a cell too big for the
# budget is clean but sampled, a known violation is still found (by dpor, or
# by pct after dpor's budget, and said so), the text agrees with the JSON,
# the same command gives the same bytes but for timing, --width fits the
# table, --html marks each clean cell, bad flags exit 2 with one line.
# Usage: experiment_exhaustive.sh PATH/TO/hmmsim
set -u
H=${1:?usage: experiment_exhaustive.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
X=("$H" experiment owner --exhaustive)

# ---- clean cells dpor exhausts; a violation dpor finds ----------------------------------
# pointer x p2p-unplug: exhausted in 100 executions (dfs at 2
# preemptions: 7933 schedules); peer-group x group-unplug: the wrong-owner
# mapping (docs/owner-semantics.md) within dpor's first thousand.
cells=(--policy pointer --policy peer-group --scenario p2p-unplug --scenario owner-change-fault
	--scenario group-unplug)
expect_exit 0 "--exhaustive on 6 cells" "${X[@]}" --cell-budget 10000 "${cells[@]}"
cp "$T/out" "$T/text"
check "6 rows and the tally" "[[ \$(grep -c '^pointer \|^peer-group ' $T/text) == 6 ]] &&
	grep -q '^6 cells: 4 clean (exhaustive), 1 clean (sampled), 1 violation (0 by pct)$' $T/text &&
	grep -q '^dpor.s budget per cell: 10000 executions$' $T/text"
check "pointer x p2p-unplug: clean (exhaustive, N executions)" \
	"grep -Eq '^pointer +owner-p2p-unplug +clean \(exhaustive, [0-9]+ executions\)' $T/text"
check "pointer x change-fault: clean (exhaustive, 1 execution)" \
	"grep -Eq '^pointer +owner-change-fault +clean \(exhaustive, 1 execution\)' $T/text"
check "peer-group x group-unplug: wrong-owner found by dpor" \
	"grep -Eq '^peer-group +owner-group-unplug +wrong-owner +[0-9]+ ' $T/text"
check "pointer x group-unplug: not exhausted within 10000, clean (sampled)" \
	"grep -Eq '^pointer +owner-group-unplug +clean \(sampled, [0-9]+ executions\)' $T/text"

expect_exit 0 "--exhaustive --json on the same cells" "${X[@]}" --cell-budget 10000 "${cells[@]}" --json
cp "$T/out" "$T/json"
python3 - "$T/json" "$T/text" <<'EOF' >"$T/py" 2>&1 && ok "JSON: exhausted/clean per cell, and the text agrees" || { bad "JSON vs text"; cat "$T/py"; }
import json, re, sys
d = json.load(open(sys.argv[1]))
assert d["strategy"] == "dpor" and d["cell_budget"] == {"executions": 10000}, d["strategy"]
assert d["fallback"] == "pct" and d["iterations"] == 2000
res = d["results"]
assert len(res) == 6, len(res)
cell = {(r["policy"], r["scenario"]): r for r in res}
r = cell["pointer", "owner-p2p-unplug"]
assert r["exhausted"] is True and r["clean"] == "exhaustive" and r["violation"] is None, r
assert r["executions"] == r["dpor_executions"] and r["fallback_executions"] == 0, r
assert r["estimated_total"] == r["executions"], r
r = cell["peer-group", "owner-group-unplug"]
assert r["violation"] == "wrong-owner" and r["clean"] == "no" and r["by"] == "dpor", r
assert r["replay"].startswith("hmmsim replay owner-group-unplug@peer-group --schedule "), r
r = cell["pointer", "owner-group-unplug"]
assert r["exhausted"] is False and r["clean"] == "sampled" and r["fallback_executions"] == 2000, r
# after pct, dpor --deepen within the same budget: the bound it covered
assert isinstance(r["bound"], int) and 0 <= r["bound"] and r["deepen_executions"] == 10000, r
assert "bound" not in cell["pointer", "owner-p2p-unplug"], "an exhausted cell has no bound"
# the text table says the same, cell by cell
text = {}
for line in open(sys.argv[2]):
    m = re.match(r"(\S+) +(\S+) +(clean \((exhaustive|sampled), (\d+) executions?\)|\S+)", line)
    if m and m.group(1) != "policy":
        text[m.group(1), m.group(2)] = m
for (p, s), r in cell.items():
    m = text[p, s]
    if r["violation"]:
        assert m.group(3) == r["violation"], (p, s, m.group(3))
    else:
        assert m.group(4) == r["clean"] and int(m.group(5)) == r["executions"], (p, s)
EOF

# the sampled cell's bound is the one dpor --deepen covers by itself in the
# same budget, and the text says it under the cell's row
python3 -c 'import json,sys; r=[r for r in json.load(open(sys.argv[1]))["results"] if r["clean"] == "sampled"][0]; print(r["bound"], r["deepen_executions"])' "$T/json" >"$T/cell_bound"
"$H" explore owner-group-unplug@pointer --strategy dpor --deepen --iterations 10000 --json --no-progress |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["bound_completed"], d["executions"])' >"$T/deepen_bound"
check "the sampled cell's bound is dpor --deepen's ($(cat "$T/cell_bound"))" "cmp -s $T/cell_bound $T/deepen_bound"
b=$(cut -d' ' -f1 "$T/cell_bound")
check "the text says the bound under the sampled cell" \
	"grep -A1 -E '^pointer +owner-group-unplug ' $T/text | grep -q '^    dpor --deepen: clean for every schedule with at most $b preemptions (10000 executions)$'"

# the same command: the same bytes but for "seconds" (an executions budget)
"${X[@]}" --cell-budget 10000 "${cells[@]}" --json >"$T/json2"
strip() { sed -E 's/"seconds":[0-9.]+//g; s/"version":\{[^}]*\}//' "$1"; }
check "the same JSON twice but for timing" "cmp -s <(strip $T/json) <(strip $T/json2)"
"${X[@]}" --cell-budget 10000 "${cells[@]}" >"$T/text2"
check "the same text twice" "cmp -s $T/text $T/text2"

# ---- a violation dpor does not reach within the budget: pct after it, said so ------------
# (budget 2: dpor's probe rounds find it in 4 executions)
expect_exit 0 "peer-group x group-unplug, budget 2" "${X[@]}" --cell-budget 2 \
	--policy peer-group --scenario group-unplug --json
check "found by pct after dpor's budget" "python3 -c '
import json, sys
r = json.load(open(\"$T/out\"))[\"results\"][0]
assert r[\"violation\"] == \"wrong-owner\" and r[\"by\"] == \"pct\", r
assert r[\"dpor_executions\"] <= 2 and r[\"clean\"] == \"no\" and not r[\"exhausted\"], r
'"
"${X[@]}" --cell-budget 2 --policy peer-group --scenario group-unplug --tokens >"$T/out"
check "the text says (by pct), with the replay line" "grep -Eq '^peer-group +owner-group-unplug +wrong-owner \(by pct\)' $T/out &&
	grep -q '^    replay: hmmsim replay owner-group-unplug@peer-group --schedule ' $T/out &&
	grep -q '^1 cell: 0 clean (exhaustive), 0 clean (sampled), 1 violation (1 by pct)' $T/out"
# the mutable policy's data race: dpor's first execution
expect_exit 0 "mutable x change-fault" "${X[@]}" --policy mutable --scenario change-fault
check "mutable x change-fault: data-race" "grep -Eq '^mutable +owner-change-fault +data-race +1 ' $T/out"

# ---- an ablation by name, a seconds budget, --width, --html -----------------------------
expect_exit 0 "an ablation by name (--policy p2p-callback:no-inval)" "${X[@]}" \
	--policy p2p-callback:no-inval --scenario change-fault --cell-budget 10000
check "p2p-callback/no-inval x change-fault: wrong-owner" \
	"grep -Eq '^p2p-callback:no-inval +owner-change-fault +wrong-owner' $T/out"
expect_exit 0 "--cell-budget 30s" "${X[@]}" --cell-budget 30s --policy pointer --scenario p2p-unplug --json
check "a seconds budget: exhausted all the same, budget in the JSON" "python3 -c '
import json
d = json.load(open(\"$T/out\"))
assert d[\"cell_budget\"] == {\"seconds\": 30}, d[\"cell_budget\"]
assert d[\"results\"][0][\"clean\"] == \"exhaustive\"
'"
"${X[@]}" --cell-budget 30s --policy pointer --scenario p2p-unplug >"$T/out"
check "a seconds budget: the text says it is timing" "grep -q 'budget per cell: 30 s (timing: not deterministic)' $T/out"
"${X[@]}" --cell-budget 10000 "${cells[@]}" --width 100 >"$T/out"
check "--width 100: every line fits" "[[ \$(awk '{ if (length > m) m = length } END { print m }' $T/out) -le 100 ]] &&
	grep -Eq '^pointer +owner-p2p-unplug +clean \(exhaustive, [0-9]+ executions\)' $T/out"
"$H" experiment owner --width 60 --iterations 5 --policy pointer >"$T/out"
check "--width 60 without --exhaustive" "[[ \$(awk '{ if (length > m) m = length } END { print m }' $T/out) -le 60 ]] &&
	[[ \$(wc -l <$T/out) == 10 ]]"
expect_exit 0 "--exhaustive --html" "${X[@]}" --cell-budget 10000 "${cells[@]}" --html "$T/lab.html"
check "--html: a mark per clean cell, counted" \
	"[[ \$(grep -c 'class=\"cell verdict-clean clean-exhaustive\" id=' $T/lab.html) == 4 &&
	   \$(grep -c 'data-clean=\"sampled\"' $T/lab.html) == 1 ]] &&
	grep -q '4 exhaustive</span>' $T/lab.html && grep -q 'clean (exhaustive, 1 execution)' $T/lab.html"

# ---- the filters without --exhaustive: the same cells as the whole table ------------------
"$H" experiment owner --iterations 300 --json >"$T/all"
"$H" experiment owner --iterations 300 --json --policy cluster-id/4 --scenario owner-id-wrap >"$T/one"
check "a filtered cell is the whole table's" "python3 -c '
import json
a = [r for r in json.load(open(\"$T/all\"))[\"results\"] if r[\"policy\"] == \"cluster-id/4\" and r[\"scenario\"] == \"owner-id-wrap\"]
b = json.load(open(\"$T/one\"))[\"results\"]
assert a == b and b[0][\"violation\"] == \"wrong-owner\", (a, b)
'"

# ---- refusals: one line, exit 2 -----------------------------------------------------------
refuse() {
	local name=$1
	shift
	"$H" experiment owner "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	if [[ $rc == 2 && $(wc -l <"$T/err") == 1 && ! -s $T/out ]] && grep -q "^hmmsim: " "$T/err"; then
		ok "$name: one line, exit 2"
	else
		bad "$name: exit $rc"
		cat "$T/err"
	fi
}
refuse "--cell-budget without --exhaustive" --cell-budget 100
refuse "--cell-budget 0" --exhaustive --cell-budget 0
refuse "--cell-budget 0s" --exhaustive --cell-budget 0s
refuse "--cell-budget 10m" --exhaustive --cell-budget 10m
refuse "--cell-budget missing" --exhaustive --cell-budget
refuse "--policy nosuch" --exhaustive --policy nosuch
refuse "--policy missing" --policy
refuse "--scenario nosuch" --scenario nosuch
refuse "--width 39" --width 39
refuse "--exhaustive twice a typo" --exhaustiv

finish
