#!/usr/bin/env bash
# Reports that explain (issue 15 items 5 and 8): the facts behind wrong-owner,
# coherence and use-after-free violations in the text, --json (and --jobs)
# and replay; preemption and first/last marks; model events' source
# locations (--sites, --trace-out); --width; plurals; the replay command of
# each violation cell of experiment owner and catalog.
# Usage: explain.sh PATH/TO/hmmsim SRC_DIR
set -u
H=${1:?usage: explain.sh PATH/TO/hmmsim SRC_DIR}
S=${2:?usage: explain.sh PATH/TO/hmmsim SRC_DIR}
. "$(dirname "$0")/lib.sh"

has() { grep -qE -- "$2" "$1"; }
check() { # check NAME FILE REGEX
	if has "$2" "$3"; then ok "$1"; else bad "$1: no /$3/ in $2"; fi
}
# The lines between the VIOLATION line and "found in"/"replayed": the facts.
facts() { sed -n '/^VIOLATION/,/^found in\|^replayed/p' "$1" | sed '1d;$d'; }

# ---- wrong-owner: the keys compared, why they matched, the truth, the link
expect_exit 1 "explore owner-id-wrap@cluster-id:4" "$H" explore owner-id-wrap@cluster-id:4 --brief
cp "$T/out" "$T/wo.txt"
check "wrong-owner: the property" "$T/wo.txt" '^  property: a device uses device-private memory directly only when its owner may'
check "wrong-owner: the policy as the command line takes it" "$T/wo.txt" '^  policy: cluster-id:4$'
check "wrong-owner: the two owners compared" "$T/wo.txt" "^  owners compared: dmirror-c's mirrors pass id 2 \(range->dev_private_owner\), pfn 0x20's pgmap->owner \(dmirror-a\) is id 2: equal now$"
check "wrong-owner: why they matched (the ids wrapped)" "$T/wo.txt" '^  why they matched: the keys are cluster ids of 4 bits.*wrapped'
check "wrong-owner: the truth" "$T/wo.txt" "^  truth: dmirror-a's memory belongs to a cluster other than dmirror-c's"
check "wrong-owner: whether a P2P link exists" "$T/wo.txt" '^  p2p link: dmirror-a -> dmirror-c: NOT_SUPPORTED, no P2P path$'
check "wrong-owner: where the mirror entry was made" "$T/wo.txt" '^  made: the mirror entry at step [0-9]+ by T1 device-c, in dmirror_do_fault\(\) at model/drivers/dmirror\.c:[0-9]+'
expect_exit 1 "explore owner-group-unplug@peer-group" "$H" explore owner-group-unplug@peer-group --brief
check "peer-group: the truth is reachability" "$T/out" '^  truth: peer-group .* dmirror-n does not reach dmirror-c$'
check "peer-group: why the keys matched" "$T/out" '^  why they matched: both devices carry the key of the peer group'

# ---- coherence: the mirror entry, where it was made, the pte it disagrees with
expect_exit 1 "explore driver-fault-race-noretry" "$H" explore driver-fault-race-noretry --brief
cp "$T/out" "$T/coh.txt"
check "coherence: the property" "$T/coh.txt" '^  property: a device reaches through its mirror only the page the CPU page table maps'
check "coherence: the mirror entry" "$T/coh.txt" "^  mirror entry: 0x102000 of dmirror0's mirror -> pfn 0x3, write"
check "coherence: where the entry was made" "$T/coh.txt" '^  made: the mirror entry at step [0-9]+ by T1 device, in dmirror_do_fault\(\)'
check "coherence: the pte it disagrees with" "$T/coh.txt" '^  cpu pte: 0x102000 -> device-private pfn 0x40 write$'

# ---- use-after-free: where the object was freed
expect_exit 1 "explore p2p-importer-unload-nowait" "$H" explore p2p-importer-unload-nowait --brief
cp "$T/out" "$T/uaf.txt"
check "use-after-free: the property" "$T/uaf.txt" '^  property: nothing reaches a page after it was freed'
check "use-after-free: where it was freed (step, thread, function, site, event)" "$T/uaf.txt" \
	'^  freed: pfn 0x20 at step [0-9]+ by T[0-9] [a-z]+, in free_zone_device_page\(\) at model/page\.c:[0-9]+, after its event "'
step=$(sed -n 's/^  freed: pfn 0x20 at step \([0-9]*\) .*/\1/p' "$T/uaf.txt")
fsite=$(sed -n 's/^  freed: .* at \(model\/page\.c\):\([0-9]*\),.*/\1 \2/p' "$T/uaf.txt")
if [[ -n $fsite ]] && sed -n "${fsite#* }p" "$S/${fsite% *}" | grep -q "page_note_free"; then
	ok "the free's source line is the note's ($fsite)"
else
	bad "the free's source line: '$fsite'"
fi
# the step the fact names is a step of the interleaving, before the violation
vstep=$(sed -n 's/^ *\([0-9]*\) .*VIOLATION use-after-free.*/\1/p' "$T/uaf.txt")
[[ -n $step && -n $vstep ]] && ((step <= vstep)) && ok "freed at step $step, before the violation ($vstep)" ||
	bad "freed at step '$step', violation at '$vstep'"
expect_exit 1 "explore p2p-unplug-free-first" "$H" explore p2p-unplug-free-first --brief
check "use-after-free of a BAR page: where it was freed" "$T/out" '^  freed: pfn 0x[0-9a-f]+ at step [0-9]+ by T3 unplug'

# ---- the facts replay, and --json (and --jobs) carry the same lines
tok=$(sed -n 's/^replay: hmmsim replay owner-id-wrap@cluster-id:4 --schedule \([^ ]*\).*/\1/p' "$T/wo.txt")
expect_exit 1 "replay the wrong-owner token" "$H" replay owner-id-wrap@cluster-id:4 --schedule "$tok" --brief
facts "$T/wo.txt" >"$T/f1"
facts "$T/out" >"$T/f2"
[[ -s $T/f1 ]] && cmp -s "$T/f1" "$T/f2" && ok "replay: the same facts ($(wc -l <"$T/f1") lines)" || bad "replay: facts differ"
expect_exit 1 "explore --json" "$H" explore owner-id-wrap@cluster-id:4 --brief --json
python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))["violations"][0]
print("\n".join("  " + f for f in v["facts"]))' "$T/out" >"$T/fj" 2>"$T/err"
cmp -s "$T/f1" "$T/fj" && ok "--json: the facts array is the text's" || bad "--json: facts differ: $(head -c 200 "$T/err")"
expect_exit 1 "explore --jobs 2 --json" "$H" explore owner-group-unplug@peer-group --brief --json --jobs 2 --iterations 200
python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))["violations"][0]
assert any(f.startswith("truth: peer-group") for f in v["facts"]), v["facts"]' "$T/out" 2>"$T/err" &&
	ok "--jobs: the workers' facts reach the merged result" || bad "--jobs: facts: $(head -c 300 "$T/err")"
expect_exit 1 "explore lost-update --json" "$H" explore lost-update --json
has "$T/out" '"facts":\[\]' && ok "--json: an empty facts array without an oracle's facts" || bad "--json: no empty facts array"
expect_exit 1 "explore --junit" "$H" explore driver-fault-race-noretry --brief --junit "$T/j.xml"
has "$T/j.xml" '  cpu pte: 0x102000 -&gt; device-private pfn 0x40 write' && ok "--junit: the failure's text has the facts" || bad "--junit: no facts"

# ---- preemptions and first/last marks
pre=$(sed -n 's/.* to [0-9]* choices\{0,1\}, \([0-9]*\) preemptions\{0,1\}, .*/\1/p' "$T/coh.txt")
n=$(grep -cE '^ +[0-9]+ +>> preempts T[0-9]+ [a-z-]+, which could go on$' "$T/coh.txt")
[[ -n $pre && $pre -gt 0 && $n == "$pre" ]] && ok "every preemption is marked ($n)" || bad "preemptions: $n marked, '$pre' counted"
# the mark is in the column of the thread that takes over: its next event is there too
awk '/>> preempts/ { col = index($0, ">>"); getline; print (substr($0, col) ~ /^[a-z]/) ? "same" : "other" }' "$T/coh.txt" | sort -u >"$T/cols"
[[ $(cat "$T/cols") == same ]] && ok "a preemption is marked in the column of the thread that runs next" || bad "preemption columns: $(cat "$T/cols")"
for t in 0 1 3; do
	col=$((8 + t * 34))
	f=$(awk -v c=$col '/<- first/ && index($0, " <- first") && substr($0, c + 1, 1) != " " && substr($0, c, 1) == " " { n++ } END { print n + 0 }' "$T/coh.txt")
	[[ $f -ge 1 ]] || { bad "T$t: no first mark in its column"; continue; }
	ok "T$t: its first event is marked"
done
[[ $(grep -c '<- first' "$T/coh.txt") == 3 ]] && ok "one first mark per thread that has events (3)" || bad "first marks: $(grep -c '<- first' "$T/coh.txt")"
[[ $(grep -cE '<- (first, )?last' "$T/coh.txt") == 3 ]] && ok "one last mark per thread that has events (3)" || bad "last marks: $(grep -cE '<- (first, )?last' "$T/coh.txt")"

# ---- source locations: --sites in the report, always in --trace-out
expect_exit 1 "explore --sites" "$H" explore driver-fault-race-noretry --brief --sites
cp "$T/out" "$T/sites.txt"
n=$(grep -cE '  \(model/[a-z_/]+\.c:[0-9]+\)( |$)' "$T/sites.txt")
[[ $n -gt 10 ]] && ok "--sites: model events carry model/FILE.c:LINE ($n)" || bad "--sites: $n sites"
has "$T/coh.txt" '\(model/[a-z_]+\.c:[0-9]+\)' && bad "no sites without --sites" || ok "no sites without --sites"
# each site names a line of the model that records an event (the
# VIOLATION row: the sim_fail() of the check that failed)
badsite=0
while read -r f l; do
	sed -n "${l}p" "$S/$f" | grep -qE 'sim_event|sim_fail' || badsite=$((badsite + 1))
done < <(grep -oE '\(model/[a-z_/]+\.c:[0-9]+\)' "$T/sites.txt" | sort -u | tr -d '()' | tr ':' ' ')
[[ $badsite == 0 ]] && ok "every site is a sim_event() or sim_fail() line of the source" || bad "$badsite sites are not a sim_event() line"
vsite=$(sed -n 's/.*VIOLATION coherence  (\(model\/[a-z_/]*\.c\):\([0-9]*\)).*/\1 \2/p' "$T/sites.txt")
[[ -n $vsite ]] && sed -n "${vsite#* }p" "$S/${vsite% *}" | grep -q 'sim_fail(HS_KIND_COHERENCE' &&
	ok "the VIOLATION row's site is the failed check's sim_fail() ($vsite)" || bad "VIOLATION site: '$vsite'"
# the same report as without --sites once the sites are taken out
sed -E 's/  \(model\/[a-z_/]+\.c:[0-9]+\)//' "$T/sites.txt" | sed '1d' >"$T/a"
sed '1d' "$T/coh.txt" >"$T/b"
cmp -s "$T/a" "$T/b" && ok "--sites adds the sites and nothing else" || bad "--sites changes more than the sites"
"$H" explore driver-fault-race-noretry --brief --sites >"$T/again" 2>/dev/null
sed '1d' "$T/again" >"$T/a"
sed '1d' "$T/sites.txt" >"$T/b"
cmp -s "$T/a" "$T/b" && ok "--sites output is deterministic" || bad "--sites output differs run to run"
expect_exit 1 "explore --trace-out" "$H" explore driver-fault-race-noretry --trace-out "$T/tr.json"
python3 -c '
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
sites = [e["args"]["site"] for e in ev if "site" in e.get("args", {})]
pre = [e for e in ev if e.get("cat") == "preemption"]
assert sites and all(s.startswith("model/") for s in sites), sites[:5]
assert pre and all(e["name"].startswith("preempts T") for e in pre), pre
print(len(sites), len(pre))' "$T/tr.json" >"$T/n" 2>"$T/err" &&
	ok "--trace-out: sites and preemptions ($(cat "$T/n"))" || bad "--trace-out: $(head -c 300 "$T/err")"

# ---- --width
expect_exit 1 "explore --width 80" "$H" explore driver-fault-race-noretry --brief --width 80
w=$(sed -n '/^  step/,/^replay:/p' "$T/out" | sed '$d' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
[[ $w -le 80 && $w -gt 60 ]] && ok "--width 80: the table fits ($w columns)" || bad "--width 80: a line of $w columns"
[[ $(grep -c '<- first' "$T/out") == 3 && $(grep -c '>> preempts' "$T/out") == "$pre" ]] &&
	ok "--width: the same marks" || bad "--width: marks differ"
w=$(sed -n '/^  step/,/^replay:/p' "$T/coh.txt" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
[[ $w -gt 120 ]] && ok "not a terminal, no --width: the table as before ($w columns)" || bad "no --width: $w columns"
expect_exit 1 "explore --width 80 (facts)" "$H" explore owner-id-wrap@cluster-id:4 --brief --width 80
w=$(facts "$T/out" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
n=$(facts "$T/out" | grep -c '^      [^ ]')
[[ $w -le 80 && $n -gt 0 ]] && ok "--width 80: the facts are cut to it too ($n continuation lines)" || bad "--width 80: facts $w wide, $n continuations"
facts "$T/out" | tr -s ' \n' ' ' >"$T/a"
tr -s ' \n' ' ' <"$T/f1" >"$T/b"
cmp -s "$T/a" "$T/b" && ok "--width: the same facts, only cut" || bad "--width: facts differ"
expect_exit 2 "--width 10 is refused" "$H" explore lost-update --width 10
check "--width: one clear line" "$T/err" "^hmmsim: --width wants 40\.\.10000 columns, not '10'"
expect_exit 2 "--width without a number" "$H" replay lost-update --schedule x --width
# on a terminal (script(1) gives one) the table fits it
if command -v script >/dev/null; then
	COLUMNS=70 script -qec "stty cols 70; $H explore driver-fault-race-noretry --brief" /dev/null >"$T/tty" 2>&1
	w=$(tr -d '\r' <"$T/tty" | sed -n '/^  step/,/^replay:/p' | sed '$d' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
	[[ $w -gt 0 && $w -le 70 ]] && ok "on a terminal of 70 columns the table fits ($w)" || bad "on a terminal: $w columns"
fi

# ---- plurals
expect_exit 1 "explore owner-id-wrap (1 execution)" "$H" explore owner-id-wrap@cluster-id:4 --brief
check "1 execution" "$T/out" ': 1 execution in '
check "0 choices, 0 preemptions" "$T/out" 'to 0 choices, 0 preemptions, [0-9]+ scheduling points'
check "1 choice, 1 preemption" "$T/coh.txt" 'to 1 choice, 1 preemption, '
cat "$T"/*.txt "$T/out" >"$T/all"
"$H" explore lost-update-fixed --strategy dfs --preemptions 1 >>"$T/all" 2>&1
"$H" catalog migrate-no-dirty-copy >>"$T/all" 2>&1
"$H" experiment owner --iterations 1 --tokens >>"$T/all" 2>&1
grep -E '(^|[^0-9])1 (choices|preemptions|executions|schedules|scheduling points|violations|iterations)\b' "$T/all" >"$T/pl"
[[ ! -s $T/pl ]] && ok "no '1 choices' and the like" || bad "plurals: $(head -3 "$T/pl")"
has "$T/all" 'at most 1 preemption explored' && ok "dfs: at most 1 preemption" || bad "dfs: the bound's plural"

# ---- item 8: experiment owner and catalog give each violation's replay command
expect_exit 0 "experiment owner --tokens" "$H" experiment owner --iterations 300 --tokens
cp "$T/out" "$T/exp.txt"
check "policy names as the command line takes them" "$T/exp.txt" '^cluster-id:4 +owner-id-wrap +wrong-owner'
has "$T/exp.txt" '^cluster-id/' && bad "no 'cluster-id/4' in the table" || ok "no 'cluster-id/4' in the table"
check "a violation's message under its row" "$T/exp.txt" '^    device dmirror-c reaches device-private pfn 0x20'
grep '^    replay: hmmsim replay ' "$T/exp.txt" | sed 's/^    replay: hmmsim //' >"$T/cmds"
nv=$(grep -cE '^[a-z:0-9-]+ +owner-[a-z0-9-]+ +[a-z-]+ ' "$T/exp.txt")
nclean=$(grep -cE '^[a-z:0-9-]+ +owner-[a-z0-9-]+ +clean ' "$T/exp.txt")
[[ $(wc -l <"$T/cmds") == $((nv - nclean)) && $((nv - nclean)) -gt 0 ]] && ok "a replay line per violation cell ($((nv - nclean)))" ||
	bad "replay lines: $(wc -l <"$T/cmds") for $((nv - nclean)) violations"
bad_replays=0
while read -r -a cmd; do
	"$H" "${cmd[@]}" >"$T/r" 2>&1
	[[ $? == 1 ]] && grep -q '^VIOLATION' "$T/r" || bad_replays=$((bad_replays + 1))
done <"$T/cmds"
[[ $bad_replays == 0 ]] && ok "every violation cell's command replays its violation" || bad "$bad_replays replay commands fail"
# the pasted cell name explores too
expect_exit 1 "explore a pasted cell name" "$H" explore "$(awk '/wrong-owner/ { print $2 "@" $1; exit }' "$T/exp.txt")" --brief
"$H" experiment owner --iterations 300 >"$T/plain"
has "$T/plain" '^    replay:' && bad "without --tokens, no replay lines" || ok "without --tokens, no replay lines"
expect_exit 0 "experiment owner --json" "$H" experiment owner --iterations 300 --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
bad = [r for r in d["results"] if r["violation"] and not (r["message"] and r["replay"].startswith("hmmsim replay " + r["scenario"] + "@"))]
clean = [r for r in d["results"] if not r["violation"] and ("replay" in r or "message" in r)]
assert not bad and not clean, (bad, clean)
print(sum(1 for r in d["results"] if r["violation"]))' "$T/out" >"$T/n" 2>"$T/err" &&
	ok "--json: message and replay for each violation cell ($(cat "$T/n")), none for clean ones" || bad "--json: $(head -c 300 "$T/err")"
expect_exit 0 "catalog ENTRY --tokens" "$H" catalog migrate-no-dirty-copy --tokens
check "catalog: the message" "$T/out" '^    0x100000 reads 0xa, but the last value written there was 0xc$'
cmd=$(sed -n 's/^    replay: hmmsim //p' "$T/out")
[[ $cmd == *"--switch migrate_no_dirty_copy"* ]] && ok "catalog: the replay names the entry's switch" || bad "catalog: replay '$cmd'"
read -r -a argv <<<"$cmd"
expect_exit 1 "catalog: the replay command replays" "$H" "${argv[@]}"
check "catalog: the same violation" "$T/out" '^VIOLATION data-loss: 0x100000 reads 0xa'
expect_exit 0 "catalog --json" "$H" catalog migrate-no-dirty-copy --json
python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["entries"][0]
assert e["message"].startswith("0x100000 reads") and e["replay"].startswith("hmmsim replay catalog-dirty-bit --schedule "), e' "$T/out" 2>"$T/err" &&
	ok "catalog --json: message and replay" || bad "catalog --json: $(head -c 300 "$T/err")"
expect_exit 0 "catalog --kernel --tokens" "$H" catalog migrate-no-dirty-copy --kernel 5.19 --tokens
cmd=$(sed -n 's/^    replay: hmmsim //p' "$T/out")
read -r -a argv <<<"$cmd"
expect_exit 1 "catalog --kernel: the replay command replays" "$H" "${argv[@]}"

finish
