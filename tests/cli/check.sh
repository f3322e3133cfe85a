#!/usr/bin/env bash
# hmmsim check: scenario files as tests.  Usage: check.sh PATH/TO/hmmsim SCENARIO_DIR
#
# Every file of the suite passes (exit 0, JUnit written); a file whose expect
# line does not hold fails (exit 1, a line saying expected vs got), both ways
# (a clean file expected to fail, a failing file expected clean); a file that
# does not parse is exit 2 with its FILE:LINE:COL; --jobs 2 prints what
# --jobs 1 prints; --json is one object with a result per file.
set -u
H=${1:?usage: check.sh PATH/TO/hmmsim SCENARIO_DIR}
D=${2:?usage: check.sh PATH/TO/hmmsim SCENARIO_DIR}
. "$(dirname "$0")/lib.sh"

# The output without its times, which are the only thing that may differ.
untimed() { sed -E 's/; [0-9]+\.[0-9]+ s$//' "$1"; }

# A few files of each kind: clean under dfs, a violation under dfs, under pct
# and under random.
cp "$D/evict.hsc" "$D/abba.hsc" "$D/driver-steps-retry-unlocked.hsc" "$D/stale-seq.hsc" "$D/p2p-read.hsc" "$T/"
set -- "$T/evict.hsc" "$T/abba.hsc" "$T/driver-steps-retry-unlocked.hsc" "$T/stale-seq.hsc" "$T/p2p-read.hsc"
grep -q "^explore random" "$T/stale-seq.hsc" && grep -q "^explore pct" "$T/driver-steps-retry-unlocked.hsc" &&
	grep -q "^expect violation" "$T/driver-steps-retry-unlocked.hsc" &&
	ok "the files cover random, and pct with a violation" || bad "the files cover random, and pct with a violation"

expect_exit 0 "check 5 files --junit" "$H" check "$@" --junit "$T/out.xml"
cp "$T/out" "$T/j1"
[[ $(tail -1 "$T/out") == "5 passed, 0 failed" ]] && ok "closing line" || bad "closing line: $(tail -1 "$T/out")"
[[ $(grep -c '^ok    ' "$T/out") == 5 ]] && ok "a line per file" || bad "a line per file"
grep -q "^ok    $T/abba.hsc: expected violation deadlock, got violation deadlock (token replays); [0-9]* executions, stopped (dfs, at most 2 preemptions); [0-9.]* s$" "$T/out" &&
	ok "violation line" || bad "violation line: $(grep abba "$T/out")"
grep -q "^ok    $T/evict.hsc: expected clean, got clean; [0-9]* executions, exhaustive (dfs" "$T/out" &&
	ok "clean line" || bad "clean line: $(grep evict "$T/out")"
grep -q "sampled (random, budget" "$T/out" && ok "sampled line" || bad "sampled line"
if python3 - "$T/out.xml" <<'PY'; then ok "JUnit: 5 testcases, no failure"; else bad "JUnit: 5 testcases, no failure"; fi
import sys, xml.etree.ElementTree as E
s = E.parse(sys.argv[1]).getroot().find("testsuite")
cases = s.findall("testcase")
sys.exit(not (s.get("tests") == "5" and s.get("failures") == "0" and len(cases) == 5
              and not any(c.find("failure") is not None for c in cases)))
PY

# --jobs 2: the same lines in the same order.
expect_exit 0 "check --jobs 2" "$H" check "$@" --jobs 2
if cmp -s <(untimed "$T/j1") <(untimed "$T/out"); then ok "--jobs 2 prints what --jobs 1 prints"; else
	bad "--jobs 2 prints what --jobs 1 prints"
	diff <(untimed "$T/j1") <(untimed "$T/out")
fi

# --json: one object, a result per file.
expect_exit 0 "check --json" "$H" check "$@" --json
if python3 - "$T/out" <<'PY'; then ok "--json: 5 results"; else bad "--json: 5 results"; fi
import json, sys
j = json.load(open(sys.argv[1]))
r = j["results"]
sys.exit(not (j["passed"] == 5 and j["failed"] == 0 and len(r) == 5
              and all(x["status"] == "pass" and x["expected"] == x["got"] for x in r)
              and r[1]["violation"]["kind"] == "deadlock" and r[1]["violation"]["replays"]
              and r[0]["mode"] == "exhaustive" and r[0]["violation"] is None))
PY

# explore dpor: every execution.  Clean needs the whole tree (exhaustive);
# a count that stops it first fails as not exhaustive; a violation a probe
# round finds is named with it.
sed 's/^explore .*/explore dpor/' "$D/evict.hsc" >"$T/evict-dpor.hsc"
sed 's/^explore .*/explore dpor 3/' "$D/evict.hsc" >"$T/evict-dpor3.hsc"
sed 's/^explore .*/explore dpor/' "$D/abba.hsc" >"$T/abba-dpor.hsc"
expect_exit 0 "explore dpor: clean, exhaustive" "$H" check "$T/evict-dpor.hsc" "$T/abba-dpor.hsc"
grep -q "^ok    $T/evict-dpor.hsc: expected clean, got clean; [0-9]* executions, exhaustive (dpor, every execution); " "$T/out" &&
	ok "explore dpor: the clean line" || bad "explore dpor: the clean line: $(grep evict "$T/out")"
grep -q "^ok    $T/abba-dpor.hsc: expected violation deadlock, got violation deadlock (token replays); [0-9]* executions, stopped (dpor, its probe round at [0-9] preemptions\?); " "$T/out" &&
	ok "explore dpor: the violation line" || bad "explore dpor: the violation line: $(grep abba "$T/out")"
expect_exit 1 "explore dpor 3: not exhaustive" "$H" check "$T/evict-dpor3.hsc"
grep -q "^FAIL  $T/evict-dpor3.hsc: expected clean, got clean, not exhaustive; 3 executions, stopped (dpor, at most 3 executions); " "$T/out" &&
	ok "explore dpor 3: fails, not exhaustive" || bad "explore dpor 3: $(grep evict "$T/out")"
"$H" explore "$T/evict-dpor.hsc" --json --no-progress >"$T/ed.json"
[[ $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["strategy"], d["exhausted"])' "$T/ed.json") == "dpor True" ]] &&
	ok "explore FILE follows explore dpor" || bad "explore FILE follows explore dpor"

# A wrong expect line, both ways, among good files: exit 1, expected vs got.
sed 's/^expect .*/expect clean/' "$T/abba.hsc" >"$T/abba-wrong.hsc"
sed 's/^expect .*/expect violation deadlock/' "$T/evict.hsc" >"$T/evict-wrong.hsc"
sed 's/^expect violation .*/expect violation data-race/' "$T/driver-steps-retry-unlocked.hsc" >"$T/race-wrong.hsc"
expect_exit 1 "wrong expect lines" "$H" check "$T/evict.hsc" "$T/abba-wrong.hsc" "$T/evict-wrong.hsc" \
	"$T/race-wrong.hsc" --junit "$T/bad.xml"
grep -q "^FAIL  $T/abba-wrong.hsc: expected clean, got violation deadlock; " "$T/out" &&
	ok "expected clean, got a violation" || bad "expected clean, got a violation: $(grep abba "$T/out")"
grep -q "^      replay: hmmsim replay $T/abba-wrong.hsc --schedule " "$T/out" &&
	ok "the failure's replay command" || bad "the failure's replay command"
grep -q "^FAIL  $T/evict-wrong.hsc: expected violation deadlock, got clean; " "$T/out" &&
	ok "expected a violation, got clean" || bad "expected a violation, got clean"
kind=$(sed -n 's/^expect violation //p' "$T/driver-steps-retry-unlocked.hsc")
grep -q "^FAIL  $T/race-wrong.hsc: expected violation data-race, got violation $kind; " "$T/out" &&
	ok "expected one kind, got another" || bad "expected one kind, got another: $(grep race-wrong "$T/out")"
[[ $(tail -1 "$T/out") == "1 passed, 3 failed" ]] && ok "closing line counts the failures" || bad "closing line: $(tail -1 "$T/out")"
grep -q 'failures="3"' "$T/bad.xml" && grep -q 'type="expectation" message="expected clean, got violation deadlock"' "$T/bad.xml" &&
	ok "JUnit failures" || bad "JUnit failures"

# Bad input: exit 2, with FILE:LINE:COL; the other files are still checked.
printf 'machine\nexpect clean\nthread t0\n  frobnicate\n' >"$T/bad.hsc"
expect_exit 2 "a file that does not parse" "$H" check "$T/evict.hsc" "$T/bad.hsc"
grep -q "^ERROR $T/bad.hsc:[0-9]*:[0-9]*: " "$T/out" && grep -q "^hmmsim: $T/bad.hsc:[0-9]*:[0-9]*: " "$T/err" &&
	ok "the error names FILE:LINE:COL" || bad "the error names FILE:LINE:COL: $(cat "$T/out" "$T/err")"
grep -q "^ok    $T/evict.hsc" "$T/out" && ok "the good file still checked" || bad "the good file still checked"
expect_exit 2 "a file that does not exist" "$H" check "$T/nosuch.hsc"
grep -q "nosuch.hsc: cannot" "$T/err" && ok "says it cannot be read" || bad "says it cannot be read"
grep -v '^expect' "$T/evict.hsc" >"$T/noexpect.hsc"
expect_exit 2 "a file without an expect line" "$H" check "$T/noexpect.hsc"
grep -q "no expect line" "$T/err" && ok "says there is no expect line" || bad "says there is no expect line"
expect_exit 2 "no files" "$H" check
expect_exit 2 "--jobs 0" "$H" check "$T/evict.hsc" --jobs 0
expect_exit 2 "unknown option" "$H" check "$T/evict.hsc" --frob
expect_exit 2 "unwritable --junit" "$H" check "$T/evict.hsc" --junit "$T/no/such/dir.xml"
"$H" --help | grep -q "check FILE" && ok "--help lists check" || bad "--help lists check"

finish
