#!/usr/bin/env bash
# Which cells are exhaustively clean: every cell of `hmmsim experiment owner`
# and every entry of `hmmsim catalog` explored with --exhaustive (dpor within
# a budget per cell), one hmmsim process per cell, JOBS at a time.  Prints
# the two tables of the docs (docs/owner-semantics.md, "Exhaustively clean
# cells", and docs/catalog.md, "Exhaustively clean fixes") with the run's
# figures (cells exhaustive / sampled / violations, wall time); with --write
# it also replaces them in the docs, between their "BEGIN bench/exhaustive.sh"
# and "END bench/exhaustive.sh" lines.
#
#   bench/exhaustive.sh [--write] [--budget B] [--jobs J] [--only owner|catalog]
#                       [--keep DIR] [--from DIR]
#   (B: --cell-budget, executions or SECONDSs, default 200000; J default 2;
#   --keep: each cell's JSON in DIR/{owner,catalog}/N.json, not removed;
#   --from: no run, the tables of a --keep DIR's results;
#   HMMSIM=path/to/hmmsim, default build/hmmsim)
#
# A budget in executions makes the tables deterministic but for the times;
# a budget in seconds depends on the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${HMMSIM:-build/hmmsim}
budget=200000
jobs=2
write=0
only=
keep=
from=
while (($#)); do
	case $1 in
	--write) write=1 ;;
	--budget) budget=${2:?--budget wants executions or SECONDSs}; shift ;;
	--jobs) jobs=${2:?--jobs wants a number}; shift ;;
	--only) only=${2:?--only wants owner or catalog}; shift ;;
	--keep) keep=${2:?--keep wants a folder}; shift ;;
	--from) from=${2:?--from wants a folder}; shift ;;
	*) echo "usage: bench/exhaustive.sh [--write] [--budget B] [--jobs J] [--only owner|catalog] [--keep DIR] [--from DIR]" >&2
	   exit 2 ;;
	esac
	shift
done
[[ -x $bin ]] || { echo "bench/exhaustive.sh: no $bin (build first)" >&2; exit 2; }
if [[ -n $from ]]; then # the tables of an earlier --keep run
	tmp=$from
	[[ -f $tmp/wall ]] || { echo "bench/exhaustive.sh: no results in $tmp" >&2; exit 2; }
	read -r budget jobs owner_s catalog_s <"$tmp/wall"
elif [[ -n $keep ]]; then # the cells' JSON stays there
	tmp=$keep
	rm -rf "$tmp/owner" "$tmp/catalog"
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hmmsim-exhaustive.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
fi
if [[ -z $from ]]; then
mkdir -p "$tmp/owner" "$tmp/catalog"

# One cell (run by xargs, JOBS at a time): DIR N owner POLICY SCENARIO, or
# DIR N catalog ENTRY -; its JSON into DIR/N.json, its exit status and
# start and end times into DIR/N.time.
cell() {
	local dir=$1 n=$2 kind=$3 a=$4 b=$5 start
	if [[ $kind == owner ]]; then
		set -- "$HMMSIM_BIN" experiment owner --exhaustive --cell-budget "$BUDGET" \
			--policy "$a" --scenario "$b" --json
	else
		set -- "$HMMSIM_BIN" catalog "$a" --exhaustive --cell-budget "$BUDGET" --json
	fi
	start=$EPOCHREALTIME
	"$@" >"$dir/$n.json" 2>"$dir/$n.err"
	echo "$? $start $EPOCHREALTIME" >"$dir/$n.time"
}
export -f cell
export HMMSIM_BIN=$bin BUDGET=$budget

start=$(date +%s)
if [[ $only != catalog ]]; then
	# the cells: the policy and scenario names of a one-execution run
	"$bin" experiment owner --iterations 1 --json >"$tmp/owner.list" || true
	python3 -c '
import json, sys
for i, r in enumerate(json.load(open(sys.argv[2]))["results"]):
	print("\0".join((sys.argv[1], str(i), "owner", r["policy"], r["scenario"])), end="\0")' \
		"$tmp/owner" "$tmp/owner.list" | xargs -0 -n 5 -P "$jobs" bash -c 'cell "$@"' cell
fi
owner_end=$(date +%s)
if [[ $only != owner ]]; then
	# the entries (exit 1: with one execution some bugs are not found)
	"$bin" catalog --iterations 1 --json >"$tmp/catalog.list" || true
	python3 -c '
import json, sys
for i, e in enumerate(json.load(open(sys.argv[2]))["entries"]):
	print("\0".join((sys.argv[1], str(i), "catalog", e["name"], "-")), end="\0")' \
		"$tmp/catalog" "$tmp/catalog.list" | xargs -0 -n 5 -P "$jobs" bash -c 'cell "$@"' cell
fi
end=$(date +%s)
owner_s=$((owner_end - start)) catalog_s=$((end - owner_end))
echo "$budget $jobs $owner_s $catalog_s" >"$tmp/wall"
fi
python3 - "$tmp" "$budget" "$jobs" "$write" "$only" "$owner_s" "$catalog_s" <<'EOF'
import glob, json, os, re, sys

tmp, budget, jobs, write, only = sys.argv[1:6]
owner_s, catalog_s = int(sys.argv[6]), int(sys.argv[7])
unit = "s of wall time" if budget.endswith("s") else " dpor executions"
budget_txt = budget[:-1] + unit if budget.endswith("s") else f"{int(budget):,}{unit}"


def cells(kind):
    out = []
    for t in sorted(glob.glob(f"{tmp}/{kind}/*.time"), key=lambda p: int(os.path.basename(p)[:-5])):
        n = t[:-5]
        rc, t0, t1 = open(t).read().split()
        secs = float(t1) - float(t0)
        try:
            data = json.load(open(n + ".json"))
        except ValueError:
            sys.exit(f"bench/exhaustive.sh: {kind} cell {n}: exit {rc}: {open(n + '.err').read()}")
        out.append((data, secs))
    return out


def mmss(s):
    return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"


def approx(e):
    """An estimate, short: 8,240 or 2e5 or 1.3e8."""
    if e < 1e4:
        return f"{e:,.0f}"
    m, x = f"{e:.1e}".split("e")
    return f"{m.rstrip('0').rstrip('.')}e{int(x)}"


def short(scenario):
    return scenario[len("owner-"):] if scenario.startswith("owner-") else scenario


def owner_table():
    res = [(d["results"][0], s) for d, s in cells("owner")]
    pols, scs = [], []
    for r, _ in res:
        if r["policy"] not in pols:
            pols.append(r["policy"])
        if r["scenario"] not in scs:
            scs.append(r["scenario"])
    grid = {(r["policy"], r["scenario"]): r for r, _ in res}
    tally = {"exhaustive": 0, "sampled": 0, "no": 0}
    for r, _ in res:
        tally[r["clean"]] += 1
    byfb = sum(r["by"] == "pct" for r, _ in res)
    lines = [
        f"`bench/exhaustive.sh --budget {budget} --jobs {jobs}` (every cell "
        f"`hmmsim experiment owner --exhaustive --cell-budget {budget}`): "
        f"**{tally['exhaustive']} of {len(res)} cells exhaustively clean**, "
        f"{tally['sampled']} clean but sampled (dpor's budget of {budget_txt} ran out "
        f"first; pct's 2,000 executions after it found nothing either; then dpor --deepen "
        f"in a budget as large again covered the bound given), {tally['no']} "
        f"violations ({len(res) - byfb - tally['exhaustive'] - tally['sampled']} found by "
        f"dpor, {byfb} by pct after dpor's budget); {mmss(owner_s)} of wall time, "
        f"{jobs} {'cell' if jobs == '1' else 'cells'} at a time. A cell: `exh N` clean under "
        f"every interleaving, N dpor executions; `smp N/~E` clean but sampled after N executions of an "
        f"estimated E, `bound K` and clean under every schedule with at most K preemptions "
        f"(dpor --deepen)" + (", `cut U` of them cut at the step bound as unfair (a thread "
        f"that could run did not run for half of it: docs/engine.md, \"Fairness\")"
        if any(r.get("unfair_cut") for r, _ in res) else "") + "; a violation's kind and the "
        f"executions to it (dpor's, or \"pct\" when pct found it).",
        "",
        "| policy | " + " | ".join(f"`{short(s)}`" for s in scs) + " |",
        "|---|" + "---|" * len(scs),
    ]
    for p in pols:
        row = []
        for s in scs:
            r = grid.get((p, s))
            if r is None:
                row.append("")
            elif r["clean"] == "exhaustive":
                row.append(f"exh {r['executions']:,}")
            elif r["clean"] == "sampled":
                cut = f", cut {r['unfair_cut']:,}" if r.get("unfair_cut") else ""
                bound = (f", bound {r['bound']}" if r.get("bound") is not None
                         else ", no bound" if "bound" in r else "")
                row.append(f"smp {r['executions']:,}/~{approx(r['estimated_total'])}{cut}{bound}")
            elif r["by"] in ("pct", "deepen"):
                row.append(f"**{r['violation']}** {r['by']} {r['executions']:,}")
            else:
                row.append(f"**{r['violation']}** {r['executions']:,}")
        lines.append(f"| {p} | " + " | ".join(row) + " |")
    slow = sorted(res, key=lambda x: -x[1])[:3]
    lines += ["", "Longest cells: " + ", ".join(
        f"`{r['scenario']}@{r['policy'].replace('/', ':')}` {s:.0f} s" for r, s in slow) + "."]
    return "\n".join(lines)


def catalog_table():
    res = [(d["entries"][0], s) for d, s in cells("catalog")]
    exh = sum(e["clean"] == "exhaustive" for e, _ in res)
    smp = sum(e["clean"] == "sampled" for e, _ in res)
    dirty = sum(e["clean"] == "no" for e, _ in res)
    bydpor = sum(e["bug_by_dpor"] for e, _ in res)
    lines = [
        f"Measured with `bench/exhaustive.sh --budget {budget} --jobs {jobs}` (every entry "
        f"`hmmsim catalog ENTRY --exhaustive --cell-budget {budget}`, {mmss(catalog_s)} of "
        f"wall time, {jobs} {'entry' if jobs == '1' else 'entries'} at a time): **{exh} of the "
        f"{len(res)} fixes are exhaustively clean**, {smp} clean but sampled (and, by dpor "
        f"--deepen after dpor in a budget as large again, clean under every schedule with at most "
        f"the preemptions given)"
        + (f", {dirty} not clean" if dirty else "")
        + f"; dpor found {bydpor} of the {len(res)} bugs itself"
        + (", the others were found by the entry's own strategy after dpor's budget (their "
           "executions include dpor's)" if bydpor < len(res) else "") + ".",
        "",
        "| entry | fix | dpor executions | bug found by | executions to it |",
        "|---|---|---|---|---|",
    ]
    for e, _ in res:
        fix = {"exhaustive": "exhaustive", "sampled": "sampled", "no": "**not clean**"}[e["clean"]]
        if e["clean"] == "sampled" and "fixed_bound" in e:
            b = e["fixed_bound"]
            fix += (f", every schedule with at most {b} preemption{'' if b == 1 else 's'}"
                    if b is not None else ", no preemption bound covered")
        by = ("dpor" if e["bug_by_dpor"] else "its own strategy, after dpor's budget"
              ) if e["found"] else "**not found**"
        lines.append(f"| `{e['name']}` | {fix} | {e['fixed_executions']:,} | {by} | "
                     f"{e['executions']:,} |")
    return "\n".join(lines)


def replace(path, tag, text):
    doc = open(path).read()
    pat = re.compile(r"(<!-- BEGIN bench/exhaustive.sh: %s -->\n).*?(<!-- END bench/exhaustive.sh: %s -->)"
                     % (tag, tag), re.S)
    if not pat.search(doc):
        sys.exit(f"bench/exhaustive.sh: no {tag} markers in {path}")
    open(path, "w").write(pat.sub(lambda m: m.group(1) + text + "\n" + m.group(2), doc))


for tag, path, make in (("owner", "docs/owner-semantics.md", owner_table),
                        ("catalog", "docs/catalog.md", catalog_table)):
    if only and only != tag:
        continue
    text = make()
    print(f"== {path}\n{text}\n")
    if write == "1":
        replace(path, tag, text)
EOF
