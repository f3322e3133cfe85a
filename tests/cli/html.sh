#!/usr/bin/env bash
# --html pages (sim/cli/html*.c), rendered in headless Chromium: the page of
# explore (a violation, and a clean run), replay and minimize, and the matrix
# pages of experiment owner and catalog.  Each page is checked as the
# browser built it (--dump-dom): self-contained (no http:, no src= or
# href= outside the page, no script, no link, no url()), the version line
# of hmmsim --version, the verdict classes and cells of the matrices against
# the same run's --json (one cell per policy × scenario, per entry ×
# {bug, fix}), every report link landing on a section of the page, and each
# violation cell's replay command, run, reproducing its violation.  Also:
# the same bytes twice (but timing), a bad path refused in one line (exit 2,
# no file), and a screenshot of each page.
# Without chromium it exits 77, which ctest counts as skipped.
# Usage: html.sh PATH/TO/hmmsim
set -u
H=${1:?usage: html.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z $CHROMIUM ]]; then
	echo "SKIP: no chromium (Debian: apt-get install chromium; scripts/bootstrap does)"
	exit 77
fi
# Keep the shots when asked (HTML_SHOTS=DIR), for a person to look at.
SHOTS=${HTML_SHOTS:-$T}
mkdir -p "$SHOTS"

# browse NAME PAGE: NAME.dom (the DOM Chromium built) and NAME.png.
browse() {
	# shellcheck disable=SC2054 # the comma is the window size's
	local flags=(--headless --no-sandbox --disable-gpu --no-first-run
		--user-data-dir="$T/profile" --window-size=1400,1000)
	timeout 120 "$CHROMIUM" "${flags[@]}" --dump-dom "file://$2" >"$T/$1.dom" 2>"$T/$1.err"
	timeout 120 "$CHROMIUM" "${flags[@]}" --screenshot="$SHOTS/$1.png" "file://$2" \
		>/dev/null 2>>"$T/$1.err"
	if [[ -s $T/$1.dom ]] && grep -q '</html>' "$T/$1.dom"; then
		ok "$1: Chromium renders it ($(wc -c <"$T/$1.dom") bytes of DOM)"
	else
		bad "$1: Chromium renders it"
		tail -5 "$T/$1.err"
	fi
	# a PNG, and not a blank one: the page's colours compress worse than white
	if [[ $(head -c 8 "$SHOTS/$1.png" 2>/dev/null | od -An -c | tr -d ' ') == '211PNG\r\n032\n' ]] &&
		(($(wc -c <"$SHOTS/$1.png") > 20000)); then
		ok "$1: screenshot ($(wc -c <"$SHOTS/$1.png") bytes)"
	else
		bad "$1: screenshot"
	fi
}

# Self-contained: nothing the page would fetch.
selfcontained() {
	local refs
	refs=$(grep -oiE 'https?:|<script|<link|<img|<iframe|url\(|src="[^"]*"|href="[^#][^"]*"|@import' "$2" |
		grep -v '^src="data:' | sort -u | tr '\n' ' ')
	[[ -z $refs ]] && ok "$1: self-contained" || bad "$1: references outside the page: $refs"
}

# The DOM checks, in Python: dom.py KIND DOM [JSON]; prints its findings,
# the replay commands (one per line, "REPLAY kind<TAB>command") for the shell.
cat >"$T/dom.py" <<'PY'
import html.parser, json, sys

kind, dom = sys.argv[1], open(sys.argv[2]).read()
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self.ids, self.links, self.stack = [], set(), [], []
        self.cur = None; self.text = {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a: self.ids.add(a["id"])
        cls = (a.get("class") or "").split()
        if tag == "td" and "cell" in cls:
            self.cur = {"classes": cls, "row": a.get("data-row"), "col": a.get("data-col"),
                        "verdict": a.get("data-verdict"), "replay": "", "links": []}
            self.cells.append(self.cur)
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])
            if self.cur is not None: self.cur["links"].append(a["href"][1:])
        self.stack.append((tag, cls))
    def handle_endtag(self, tag):
        while self.stack:
            t, cls = self.stack.pop()
            if t == tag: break
        if tag == "td": self.cur = None
    def handle_data(self, d):
        if not self.stack: return
        t, cls = self.stack[-1]
        for c in cls:
            self.text.setdefault(c, []).append(d)
        if self.cur is not None and t == "code" and "replay" in cls:
            self.cur["replay"] += d
p = P(); p.feed(dom)
errors = []
def check(cond, what):
    if not cond: errors.append(what)
def verdict_class(c):
    v = [x for x in c["classes"] if x.startswith("verdict-")]
    return v[0] if len(v) == 1 else None

for l in p.links:
    check(l in p.ids, "a link to #%s lands nowhere" % l)
if kind in ("lab", "catalog"):
    data = json.load(open(sys.argv[3]))
    cells = {(c["row"], c["col"]): c for c in p.cells}
    check(len(cells) == len(p.cells), "two cells for one (row, column)")
    if kind == "lab":
        want = {}
        for r in data["results"]:
            want[(r["policy"].replace("/", ":"), r["scenario"])] = r["violation"]
        rows = {k[0] for k in want}; cols = {k[1] for k in want}
        check(len(want) == len(data["results"]), "JSON: a (policy, scenario) twice")
        check(len(p.cells) == len(rows) * len(cols),
              "%d cells for %d policies x %d scenarios" % (len(p.cells), len(rows), len(cols)))
        print("cells %d = %d policies x %d scenarios" % (len(p.cells), len(rows), len(cols)))
    else:
        want = {}
        for e in data["entries"]:
            want[(e["name"], "bug")] = e["kind"] if e["found"] else "missed"
            want[(e["name"], "fix")] = None if e["clean_with_fix"] else "violation"
        check(len(p.cells) == 2 * len(data["entries"]),
              "%d cells for %d entries x 2" % (len(p.cells), len(data["entries"])))
        print("cells %d = %d entries x 2" % (len(p.cells), len(data["entries"])))
    for key, v in want.items():
        c = cells.get(key)
        check(c is not None, "no cell for %s" % (key,))
        if c is None: continue
        vc = verdict_class(c)
        exp = "verdict-clean" if v is None else "verdict-missed" if v == "missed" else "verdict-violation"
        check(vc == exp, "%s: class %s, the JSON says %s" % (key, vc, v))
        if vc == "verdict-violation":
            if v != "violation":
                check(c["verdict"] == v, "%s: verdict %s, the JSON says %s" % (key, c["verdict"], v))
            check(c["replay"].startswith("hmmsim replay "), "%s: no replay command" % (key,))
            check(any(l.startswith("report-") and l in p.ids for l in c["links"]),
                  "%s: no link to its report" % (key,))
            print("REPLAY %s\t%s" % (c["verdict"], c["replay"]))
    print("classes:", " ".join(sorted({verdict_class(c) or "none" for c in p.cells})))
else:
    data = json.load(open(sys.argv[3]))
    v = data.get("version", {})
    for part in (v.get("hmmsim"), v.get("revision"), v.get("kernel")):
        check(part and part in dom.split('id="version"')[1].split("</div>")[0],
              "the version line lacks %s" % part)
    if data["violations"]:
        kinds = "".join(p.text.get("kind", []))
        want = data["violations"][0]["kind"]
        check(want in kinds, "the page's kind %r, the JSON's %r" % (kinds, want))
        check("lanes" in dom and 'class="bar lock"' in dom, "no swimlanes with lock bars")
        marks = dom.count('<tr class="ev preempt"') + dom.count('<tr class="ev detail preempt"')
        pre = data["violations"][0]["preemptions"]
        check(marks == pre, "%d preemption marks, the run's preemptions: %d" % (marks, pre))
        check("report" in p.text and any(l.strip() for l in p.text["report"]), "no text report")
        print("classes: verdict-violation, kind %s" % want)
        for r in "".join(p.text.get("replay", [])).split("hmmsim replay ")[1:]:
            print("REPLAY %s\thmmsim replay %s" % (want, r.strip()))
    else:
        verdict = "".join(p.text.get("verdict-clean", []))
        check(verdict.startswith("clean"), "a clean run's page does not say clean: %r" % verdict)
        ex = "exhausted" if data["exhausted"] else "sampled"
        check(ex in verdict and str(data["executions"]) in verdict,
              "the clean verdict lacks %s and %d executions: %r" % (ex, data["executions"], verdict))
        print("classes: verdict-clean, %s" % ex)
for e in errors:
    print("ERROR", e)
sys.exit(1 if errors else 0)
PY

# replays NAME: run each REPLAY line of $T/NAME.out; each must end in its kind.
replays() {
	local name=$1 n=0 badn=0 kind cmd
	while IFS=$'\t' read -r kind cmd; do
		kind=${kind#REPLAY }
		n=$((n + 1))
		# the command as a user pastes it, with this build's hmmsim
		eval "set -- ${cmd#hmmsim }"
		"$H" "$@" >"$T/replay.out" 2>&1
		local rc=$?
		if [[ $rc != 1 ]] || ! grep -q "^VIOLATION $kind: " "$T/replay.out"; then
			badn=$((badn + 1))
			echo "  $cmd: exit $rc, $(grep -m1 '^VIOLATION' "$T/replay.out")"
		fi
	done < <(grep '^REPLAY ' "$T/$name.out")
	((n > 0 && badn == 0)) && ok "$name: each of the $n replay commands reproduces its violation" ||
		bad "$name: $badn of $n replay commands do not reproduce the violation"
}

# domcheck NAME KIND JSON
domcheck() {
	if python3 "$T/dom.py" "$2" "$T/$1.dom" "$3" >"$T/$1.out" 2>&1; then
		ok "$1: the DOM: $(grep -E '^(cells|classes)' "$T/$1.out" | tr '\n' ' ')"
	else
		bad "$1: the DOM"
		grep -v '^REPLAY' "$T/$1.out"
	fi
}

# ---- explore, replay, minimize -------------------------------------------------------
"$H" explore driver-fault-race-noretry --html "$T/explore.html" --json >"$T/explore.json"
rc=$?
[[ $rc == 1 && -s $T/explore.html ]] && ok "explore --html: exit 1, a page" || bad "explore --html: exit $rc"
selfcontained explore "$T/explore.html"
browse explore "$T/explore.html"
domcheck explore run "$T/explore.json"
replays explore
# the same bytes again, but the timing
"$H" explore driver-fault-race-noretry --html "$T/explore2.html" >/dev/null
strip_timing() { sed -E 's/(class="timing"[^>]*>)[^<]*/\1/g' "$1"; }
if cmp -s <(strip_timing "$T/explore.html") <(strip_timing "$T/explore2.html"); then
	ok "explore --html: the same bytes twice (but timing)"
else
	bad "explore --html: not deterministic"
	diff <(strip_timing "$T/explore.html") <(strip_timing "$T/explore2.html") | head -5
fi

tok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["violations"][0]["schedule"])' "$T/explore.json")
"$H" replay driver-fault-race-noretry --schedule "$tok" --html "$T/replay.html" --json >"$T/replay.json"
rc=$?
[[ $rc == 1 ]] && grep -q '<p>replayed</p>' "$T/replay.html" && ok "replay --html" || bad "replay --html: exit $rc"
browse replay "$T/replay.html"
domcheck replay run "$T/replay.json"
orig=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["violations"][0]["original_schedule"])' "$T/explore.json")
"$H" minimize driver-fault-race-noretry --schedule "$orig" --html "$T/minimize.html" >/dev/null
rc=$?
[[ $rc == 1 ]] && grep -q 'minimized from' "$T/minimize.html" && ok "minimize --html" ||
	bad "minimize --html: exit $rc"
selfcontained minimize "$T/minimize.html"

"$H" explore lost-update-fixed --strategy dfs --html "$T/clean.html" --json >"$T/clean.json"
rc=$?
[[ $rc == 0 ]] && ok "a clean explore --html: exit 0" || bad "a clean explore --html: exit $rc"
browse clean "$T/clean.html"
domcheck clean run "$T/clean.json"
"$H" explore lost-update-fixed --iterations 50 --html "$T/sampled.html" --json >"$T/sampled.json"
python3 "$T/dom.py" run "$T/sampled.html" "$T/sampled.json" >"$T/sampled.out" &&
	ok "a sampled clean run says sampled" || { bad "a sampled clean run"; cat "$T/sampled.out"; }

# ---- the owner lab: one cell per (policy, scenario) ---------------------------------------
"$H" experiment owner --json --html "$T/lab.html" >"$T/lab.json"
rc=$?
[[ $rc == 0 ]] && ok "experiment owner --html: exit 0" || bad "experiment owner --html: exit $rc"
selfcontained lab "$T/lab.html"
browse lab "$T/lab.html"
domcheck lab lab "$T/lab.json"
replays lab
"$H" experiment owner --iterations 300 --html "$T/lab2.html" >/dev/null
"$H" experiment owner --iterations 300 --html "$T/lab3.html" >/dev/null
cmp -s <(strip_timing "$T/lab2.html") <(strip_timing "$T/lab3.html") &&
	ok "experiment owner --html: the same bytes twice (but timing)" ||
	bad "experiment owner --html: not deterministic"

# ---- the catalog: entries × {bug, fix} --------------------------------------------------
"$H" catalog --iterations 2000 --json --html "$T/catalog.html" >"$T/catalog.json"
rc=$?
[[ $rc == 0 || $rc == 1 ]] && ok "catalog --html: exit $rc" || bad "catalog --html: exit $rc"
selfcontained catalog "$T/catalog.html"
browse catalog "$T/catalog.html"
domcheck catalog catalog "$T/catalog.json"
replays catalog

# ---- refusals -------------------------------------------------------------------------
for cmd in "explore abba" "experiment owner --iterations 1" "catalog --iterations 1"; do
	# shellcheck disable=SC2086
	"$H" $cmd --html "$T/nosuch/x.html" >/dev/null 2>"$T/err"
	rc=$?
	if [[ $rc == 2 && $(wc -l <"$T/err") == 1 && ! -e $T/nosuch ]] &&
		grep -q "cannot write $T/nosuch/x.html" "$T/err"; then
		ok "$cmd --html to a missing folder: one line, exit 2"
	else
		bad "$cmd --html to a missing folder: exit $rc: $(cat "$T/err")"
	fi
done
"$H" explore abba --html >/dev/null 2>"$T/err"
rc=$?
[[ $rc == 2 ]] && grep -q -- "--html wants a file name" "$T/err" && ok "--html without a file: exit 2" ||
	bad "--html without a file: exit $rc"
"$H" catalog --kernel 6.1 --html "$T/k.html" >/dev/null 2>"$T/err"
rc=$?
[[ $rc == 2 && ! -e $T/k.html ]] && ok "catalog --kernel --html refused" || bad "catalog --kernel --html: exit $rc"
if compgen -G "$T/*.tmp-*" >/dev/null; then
	bad "a temporary file left behind: $(ls "$T")"
else
	ok "no temporary file left"
fi

finish
