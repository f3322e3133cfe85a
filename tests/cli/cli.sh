#!/usr/bin/env bash
# The hmmsim command: exit codes, reports, byte-identical replay, stable JSON,
# and clear refusals of bad input.  Usage: cli.sh PATH/TO/hmmsim
set -u
H=${1:?usage: cli.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

expect_exit 0 "--help" "$H" --help
grep -q "explore NAME" "$T/out" && ok "--help lists explore" || bad "--help lists explore"
expect_exit 0 "list" "$H" list
grep -q "^  lost-update " "$T/out" && ok "list shows lost-update" || bad "list shows lost-update"

# The acceptance run: found, with a report and a token.
expect_exit 1 "explore lost-update pct 1000" "$H" explore lost-update --strategy pct --iterations 1000
cp "$T/out" "$T/explore.txt"
grep -q "^VIOLATION data-race: data race on c->value: plain read by T2 inc2 in inc_thread, concurrent with plain write by T1 inc1 in inc_thread" "$T/explore.txt" && ok "report names the violation" || bad "report names the violation"
tok=$(sed -n 's/^replay: hmmsim replay lost-update --schedule \([^ ]*\).*/\1/p' "$T/explore.txt")
[[ $tok =~ ^1-[0-9a-f]{8}-[A-Za-z0-9_-]*-[0-9a-f]{4}$ ]] && ok "token printed ($tok)" || bad "token printed: '$tok'"

# Replay: the same violation and the same event list, byte for byte.
expect_exit 1 "replay the token" "$H" replay lost-update --schedule "$tok"
sed -n '/^VIOLATION/,$p' "$T/explore.txt" | sed '/^found in execution \|^replayed/d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '/^found in execution \|^replayed/d' >"$T/b"
if cmp -s "$T/a" "$T/b" && [[ -s $T/a ]]; then ok "replay event list identical"; else bad "replay event list differs"; diff "$T/a" "$T/b" | head; fi

# The oracles can be switched off: then the lost update itself, replayed with
# the same switch.
grep -q -- "--no-races" <("$H" --help) && grep -q -- "--no-lockdep" <("$H" --help) &&
	grep -q -- "--no-might-sleep" <("$H" --help) && ok "--help lists the oracle switches" || bad "--help lists the oracle switches"
expect_exit 1 "explore lost-update --no-races" "$H" explore lost-update --no-races
grep -q "^VIOLATION assertion: counter is 1" "$T/out" && ok "--no-races: the assertion" || bad "--no-races: the assertion"
cp "$T/out" "$T/nr.txt"
ntok=$(sed -n 's/^replay: hmmsim replay lost-update --schedule \([^ ]*\).*/\1/p' "$T/nr.txt")
expect_exit 1 "replay --no-races" "$H" replay lost-update --schedule "$ntok" --no-races
sed -n '/^VIOLATION/,$p' "$T/nr.txt" | sed '/^found in execution \|^replayed/d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '/^found in execution \|^replayed/d' >"$T/b"
cmp -s "$T/a" "$T/b" && ok "--no-races replay identical" || bad "--no-races replay identical"

# The kernel model's race, brief report, replayed byte for byte too.
expect_exit 1 "explore driver-fault-race-noretry --brief" "$H" explore driver-fault-race-noretry --brief
grep -q "^VIOLATION coherence" "$T/out" && ok "driver bug is a coherence violation" || bad "driver bug is a coherence violation"
grep -q "dmirror: mirror 0x" "$T/out" && ok "report names model events" || bad "report names model events"
grep -q "atomic_load" "$T/out" && bad "--brief leaves out atomics" || ok "--brief leaves out atomics"
cp "$T/out" "$T/drv.txt"
dtok=$(sed -n 's/^replay: hmmsim replay driver-fault-race-noretry --schedule \([^ ]*\).*/\1/p' "$T/drv.txt")
expect_exit 1 "replay driver token --brief" "$H" replay driver-fault-race-noretry --schedule "$dtok" --brief
sed -n '/^VIOLATION/,$p' "$T/drv.txt" | sed '/^found in execution \|^replayed/d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '/^found in execution \|^replayed/d' >"$T/b"
cmp -s "$T/a" "$T/b" && ok "driver replay identical" || bad "driver replay identical"
expect_exit 0 "driver-fault-race clean (pct 20000)" "$H" explore driver-fault-race --iterations 20000

# Fixed variant: clean under exhaustive dfs and 100,000 pct executions.
expect_exit 0 "lost-update-fixed dfs P=2" "$H" explore lost-update-fixed --strategy dfs --preemptions 2
grep -q "exhaustive" "$T/out" && ok "dfs says exhaustive" || bad "dfs says exhaustive"
expect_exit 0 "lost-update-fixed pct 100000" "$H" explore lost-update-fixed --strategy pct --iterations 100000
grep -q "100000 executions" "$T/out" && ok "ran 100000 executions" || bad "ran 100000 executions"

# Each litmus bug found by pct and dfs; each fix clean.
for s in lost-update seqcount-noretry abba livelock; do
	for st in pct dfs; do
		expect_exit 1 "$s $st" "$H" explore "$s" --strategy "$st"
		expect_exit 0 "$s-fixed $st" "$H" explore "$s-fixed" --strategy "$st"
	done
done
"$H" explore abba --strategy dfs >"$T/out"
grep -q "^VIOLATION lock-order: lock-order cycle: lock_B -> lock_A" "$T/out" && ok "abba reported as lock-order" || bad "abba reported as lock-order"
"$H" explore abba --strategy dfs --no-lockdep >"$T/out"
grep -q "^VIOLATION deadlock" "$T/out" && ok "abba --no-lockdep reported as deadlock" || bad "abba --no-lockdep reported as deadlock"
"$H" explore livelock --strategy pct >"$T/out"
grep -q "^VIOLATION livelock" "$T/out" && ok "livelock reported as livelock" || bad "livelock reported as livelock"

# Same command, same seed, --json twice: identical but for the timing fields.
for i in 1 2; do
	"$H" explore seqcount-noretry --strategy random --seed 9 --json |
		sed -E 's/"elapsed_s":[0-9.e+-]+//; s/"execs_per_s":[0-9.e+-]+//' >"$T/j$i"
done
cmp -s "$T/j1" "$T/j2" && ok "--json stable across runs" || bad "--json stable across runs"
for k in scenario strategy seed executions elapsed_s execs_per_s violations kind message execution steps schedule; do
	"$H" explore seqcount-noretry --json | grep -q "\"$k\":" || bad "--json has key $k"
done
ok "--json keys present"

# --trace-out: Chrome trace-event JSON of the reported execution.
expect_exit 1 "explore --trace-out" "$H" explore driver-fault-race-noretry --brief --trace-out "$T/trace.json"
grep -q '^{"traceEvents":\[' "$T/trace.json" && ok "trace has a traceEvents array" || bad "trace has a traceEvents array"
grep -q '"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"T1 device"}' "$T/trace.json" && ok "trace names threads" || bad "trace names threads"
grep -q '"args":{"function":"hs_mmap"}' "$T/trace.json" && grep -q '"name":"handle_mm_fault 0x' "$T/trace.json" && ok "trace names model functions" || bad "trace names model functions"
grep -q '"name":"hold mmap_lock","cat":"lock","ph":"X"' "$T/trace.json" && ok "trace has lock spans" || bad "trace has lock spans"
grep -q '"name":"invalidate_range_start [^"]*","cat":"invalidation","ph":"X"' "$T/trace.json" && ok "trace has invalidation spans" || bad "trace has invalidation spans"
grep -q '"cat":"violation"' "$T/trace.json" && ok "trace marks the violation" || bad "trace marks the violation"
tail -c 3 "$T/trace.json" | grep -q '}}' && ok "trace ends its object" || bad "trace ends its object"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["traceEvents"]' "$T/trace.json" && ok "trace is valid JSON" || bad "trace is valid JSON"
fi
ttok=$(sed -n 's/^replay: hmmsim replay driver-fault-race-noretry --schedule \([^ ]*\).*/\1/p' "$T/out")
expect_exit 1 "replay --trace-out" "$H" replay driver-fault-race-noretry --schedule "$ttok" --brief --trace-out "$T/trace2.json"
cmp -s "$T/trace.json" "$T/trace2.json" && ok "replay trace byte-identical" || bad "replay trace byte-identical"
expect_exit 2 "--trace-out to a bad path" "$H" explore lost-update --trace-out "$T/no/such/dir/t.json"

# Minimization: explore minimizes by default; minimize shrinks a given token.
expect_exit 1 "explore random --no-minimize" "$H" explore lost-update --strategy random --seed 3 --no-races --no-minimize
grep -q "minimized" "$T/out" && bad "--no-minimize does not minimize" || ok "--no-minimize does not minimize"
rtok=$(sed -n 's/^replay: hmmsim replay lost-update --schedule \([^ ]*\).*/\1/p' "$T/out")
expect_exit 1 "minimize the token" "$H" minimize lost-update --schedule "$rtok" --no-races
grep -q "^VIOLATION assertion" "$T/out" && ok "minimize keeps the kind" || bad "minimize keeps the kind"
grep -q "to 1 choice, 1 preemption," "$T/out" && ok "minimized to 1 preemption" || bad "minimized to 1 preemption"
mtok=$(sed -n 's/^replay: hmmsim replay lost-update --schedule \([^ ]*\).*/\1/p' "$T/out")
(( ${#mtok} <= ${#rtok} )) && ok "minimized token not longer" || bad "minimized token not longer"
cp "$T/out" "$T/min.txt"
expect_exit 1 "minimized token replays strictly" "$H" replay lost-update --schedule "$mtok" --no-races
sed -n '/^VIOLATION/,$p' "$T/min.txt" | sed '/^found in execution \|^replayed/d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '/^found in execution \|^replayed/d' >"$T/b"
cmp -s "$T/a" "$T/b" && ok "minimized replay identical" || bad "minimized replay identical"
expect_exit 1 "explore minimizes by default" "$H" explore lost-update --strategy random --seed 3 --no-races --json
grep -q '"original_schedule":"'"$rtok"'"' "$T/out" && grep -q '"schedule":"'"$mtok"'"' "$T/out" && ok "--json: minimized and original schedules" || bad "--json: minimized and original schedules"
expect_exit 2 "minimize a bad token" "$H" minimize lost-update --schedule not-a-token
expect_exit 2 "minimize without --schedule" "$H" minimize lost-update

# Sharded campaigns: the shards' union is the unsharded run, merge joins them.
shard_run() { "$H" explore lost-update --strategy random --iterations 400 --no-races --keep-going --max-reports 1000 --no-minimize --json "$@"; }
# (and without "coverage": one process's, which merge and --jobs do not combine)
untimed() { sed -E 's/"elapsed_s":[0-9.e+-]+,"execs_per_s":[0-9.e+-]+//; s/"shards":[0-9]+,//; s/,"coverage":.*,"version"/,"version"/' "$1"; }
shard_run >"$T/all.json"
shard_run --shard 0/2 >"$T/s0.json"
shard_run --shard 1/2 >"$T/s1.json"
grep -q '"shard":"1/2"' "$T/s1.json" && ok "--json names the shard" || bad "--json names the shard"
grep -q '"executions":200,' "$T/s0.json" && ok "shard 0/2 runs half" || bad "shard 0/2 runs half"
expect_exit 1 "merge the shards" "$H" merge "$T/s1.json" "$T/s0.json"
cp "$T/out" "$T/merged.json"
nv=$(grep -o '"execution":' "$T/all.json" | wc -l)
((nv > 1)) && ok "unsharded run has $nv violations" || bad "unsharded run has several violations"
cmp -s <(untimed "$T/all.json") <(untimed "$T/merged.json") && ok "merged shards = unsharded run" || bad "merged shards = unsharded run"
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 shard_run --shard auto >"$T/auto.json"
cmp -s <(untimed "$T/auto.json") <(untimed "$T/s1.json") && ok "--shard auto under Slurm" || bad "--shard auto under Slurm"
JOB_COMPLETION_INDEX=0 HMMSIM_SHARD_COUNT=2 shard_run --shard auto >"$T/auto.json"
cmp -s <(untimed "$T/auto.json") <(untimed "$T/s0.json") && ok "--shard auto in an Indexed Job" || bad "--shard auto in an Indexed Job"
expect_exit 2 "--shard auto without env" env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX -u HMMSIM_SHARD_COUNT "$H" explore lost-update --shard auto
grep -q "shard auto needs" "$T/err" && ok "says what auto needs" || bad "says what auto needs"
expect_exit 2 "--shard 2/2" "$H" explore lost-update --shard 2/2
expect_exit 2 "--shard with dfs" "$H" explore lost-update --strategy dfs --shard 0/2
expect_exit 2 "merge a bad file" "$H" merge "$T/trace.json"

# --junit: one testcase, a failure per violation with its replay command, escaped.
expect_exit 1 "explore --junit" "$H" explore lost-update --junit "$T/j.xml" --keep-going --max-reports 3 --strategy random --no-minimize
head -1 "$T/j.xml" | grep -q '^<?xml version="1.0"' && ok "junit: XML declaration" || bad "junit: XML declaration"
[[ $(grep -c '<testcase ' "$T/j.xml") == 1 && $(grep -c '</testcase>' "$T/j.xml") == 1 ]] && ok "junit: one testcase" || bad "junit: one testcase"
[[ $(grep -c '<failure ' "$T/j.xml") == 3 ]] && ok "junit: a failure per violation" || bad "junit: a failure per violation"
grep -q 'hmmsim replay lost-update --schedule 1-' "$T/j.xml" && ok "junit: replay command" || bad "junit: replay command"
grep -q 'c-&gt;value' "$T/j.xml" && ! grep -q -- '-> \|<- last' "$T/j.xml" && ok "junit: escaped" || bad "junit: escaped"
tail -1 "$T/j.xml" | grep -q '^</testsuites>$' && ok "junit: closed" || bad "junit: closed"
if command -v python3 >/dev/null; then
	python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/j.xml" && ok "junit: well-formed" || bad "junit: well-formed"
fi
expect_exit 0 "explore --junit, clean" "$H" explore lost-update-fixed --junit "$T/j.xml" --iterations 100
grep -q 'failures="0"' "$T/j.xml" && ! grep -q '<failure' "$T/j.xml" && ok "junit: clean run has no failure" || bad "junit: clean run has no failure"

# --jobs J: J forked workers, merged as hmmsim merge does: the same JSON as one
# process (but for the timing fields), keep-going or stopping at the first.
for j in 1 2 3; do
	shard_run --jobs $j >"$T/jobs$j.json"
	cmp -s <(untimed "$T/all.json") <(untimed "$T/jobs$j.json") && ok "--jobs $j = one process (keep-going)" || bad "--jobs $j = one process (keep-going)"
done
shard_run --shard 1/2 --jobs 3 >"$T/jobs-s1.json"
cmp -s <(untimed "$T/s1.json") <(untimed "$T/jobs-s1.json") && ok "--shard 1/2 --jobs 3 = --shard 1/2" || bad "--shard 1/2 --jobs 3 = --shard 1/2"
first_run() { "$H" explore driver-fault-race-noretry --brief --json --trace-out "$T/tr$1.json" "${@:2}"; }
first_run 0 >"$T/f0.json"
grep -q '"original_schedule"' "$T/f0.json" && ok "first violation minimized" || bad "first violation minimized"
for j in 1 2 3; do
	first_run $j --jobs $j >"$T/f$j.json"
	cmp -s <(untimed "$T/f0.json") <(untimed "$T/f$j.json") && ok "--jobs $j = one process (first violation, minimized)" || bad "--jobs $j = one process (first violation, minimized)"
	cmp -s "$T/tr0.json" "$T/tr$j.json" && ok "--jobs $j --trace-out identical" || bad "--jobs $j --trace-out identical"
done
expect_exit 1 "explore --jobs 2, report" "$H" explore lost-update --strategy random --seed 3 --no-races --jobs 2 --junit "$T/jj.xml"
jtok=$(sed -n 's/^replay: hmmsim replay lost-update --schedule \([^ ]*\) --no-races$/\1/p' "$T/out")
expect_exit 1 "the --jobs report's token replays" "$H" replay lost-update --schedule "$jtok" --no-races
grep -q "^VIOLATION assertion" "$T/out" && ok "--jobs token: the same violation" || bad "--jobs token: the same violation"
grep -q "hmmsim replay lost-update --schedule $jtok --no-races" "$T/jj.xml" && ok "--jobs --junit has the replay command" || bad "--jobs --junit has the replay command"
expect_exit 0 "explore --jobs 2, clean" "$H" explore lost-update-fixed --iterations 1000 --jobs 2
grep -q "1000 executions" "$T/out" && grep -q "^no violation" "$T/out" && ok "--jobs 2 clean report" || bad "--jobs 2 clean report"
for v in 0 abc 10000 -1; do
	expect_exit 2 "--jobs $v" "$H" explore lost-update --jobs "$v"
	grep -q -- "--jobs wants a number of workers" "$T/err" && ok "--jobs $v: says why" || bad "--jobs $v: says why"
done
expect_exit 2 "--jobs with dfs" "$H" explore lost-update --strategy dfs --jobs 2
grep -q -- "--jobs" <("$H" --help) && ok "--help lists --jobs" || bad "--help lists --jobs"

# owner-lab cells are scenarios of their own: SCENARIO@POLICY
expect_exit 1 "an owner-lab cell finds its violation" "$H" explore owner-id-wrap@cluster-id:4 --brief
grep -q "VIOLATION wrong-owner" "$T/out" && ok "owner-id-wrap@cluster-id:4 is wrong-owner" || bad "owner-id-wrap@cluster-id:4 is wrong-owner"
expect_exit 0 "its 32-bit twin is clean" "$H" explore owner-id-wrap@cluster-id:32 --iterations 500
expect_exit 2 "an unknown owner-lab policy" "$H" explore owner-id-wrap@nope
grep -q "owner-group-unplug" <("$H" list) && ok "list shows the owner-lab scenarios" || bad "list shows the owner-lab scenarios"
# a worker that dies: the parent names it, exits 2, and stops the other
"$H" explore driver-fault-race --iterations 1000000000 --jobs 2 >"$T/out" 2>"$T/err" &
pid=$!
children=()
for _ in $(seq 100); do
	mapfile -t children < <(pgrep -P "$pid")
	((${#children[@]} == 2)) && break
	sleep 0.05
done
((${#children[@]} == 2)) && kill -9 "${children[0]}"
for _ in $(seq 300); do # at most 30 s: it must not hang
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -9 "$pid" 2>/dev/null
wait "$pid"
rc=$?
[[ $rc == 2 ]] && ok "dead worker: exit 2" || bad "dead worker: exit $rc, want 2"
grep -q "^hmmsim: --jobs: worker [01] of 2 (shard [01]/2) was killed by signal 9" "$T/err" && ok "dead worker: named" || { bad "dead worker: named"; cat "$T/err"; }
((${#children[@]} == 2)) && ! kill -0 "${children[1]}" 2>/dev/null && ok "dead worker: the other one stopped" || bad "dead worker: the other one stopped"

# The replay line repeats every option that changes an execution; copied and
# run, it gives the same violation.
expect_exit 1 "explore --switch --no-races --step-bound" "$H" explore catalog-tlb-flush --switch migrate_flush_tlb_after_ptl --no-races --step-bound 50000 --brief --iterations 50000
cp "$T/out" "$T/sw.txt"
line=$(sed -n 's/^replay: hmmsim //p' "$T/sw.txt")
[[ $line == *" --switch migrate_flush_tlb_after_ptl"* && $line == *" --no-races"* && $line == *" --step-bound 50000"* ]] && ok "replay line has the options ($line)" || bad "replay line has the options: '$line'"
read -r -a words <<<"$line"
expect_exit 1 "the copied replay line" "$H" "${words[@]}" --brief
sed -n '/^VIOLATION/,$p' "$T/sw.txt" | sed '/^found in execution \|^replayed/d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '/^found in execution \|^replayed/d' >"$T/b"
cmp -s "$T/a" "$T/b" && ok "copied replay line: the same violation and events" || bad "copied replay line: the same violation and events"
expect_exit 2 "the token without --switch does not fit" "$H" replay catalog-tlb-flush --schedule "${words[3]}"

# catalog --junit: a testcase per entry and variant, failures when the
# expectation fails, with the command that reproduces it.
expect_exit 0 "catalog --junit" "$H" catalog --junit "$T/cat.xml"
n=$("$H" catalog --json --iterations 1 | grep -o '"name":' | wc -l) # the entries, not a second run
[[ $(grep -c '<testcase ' "$T/cat.xml") == $((2 * n)) ]] && ok "catalog junit: two testcases per entry ($n)" || bad "catalog junit: two testcases per entry"
grep -q 'failures="0"' "$T/cat.xml" && ok "catalog junit: no failure" || bad "catalog junit: no failure"
catline=$(grep -o 'replay: hmmsim replay catalog-tlb-flush --schedule [^<]*' "$T/cat.xml" | sed 's/^replay: hmmsim //')
read -r -a words <<<"$catline"
expect_exit 1 "catalog junit: its replay command" "$H" "${words[@]}"
grep -q "^VIOLATION data-loss" "$T/out" && ok "catalog junit: replays the bug" || bad "catalog junit: replays the bug"
expect_exit 1 "catalog --junit, bug not found" "$H" catalog migrate-tlb-flush-after-ptl --iterations 1 --junit "$T/cat1.xml"
[[ $(grep -c '<testcase ' "$T/cat1.xml") == 2 && $(grep -c '<failure ' "$T/cat1.xml") == 1 ]] && grep -q 'failures="1"' "$T/cat1.xml" && ok "catalog junit: the failure" || bad "catalog junit: the failure"
grep -q 'hmmsim explore catalog-tlb-flush --switch migrate_flush_tlb_after_ptl' "$T/cat1.xml" && ok "catalog junit: failure says how to explore" || bad "catalog junit: failure says how to explore"
if command -v python3 >/dev/null; then
	for x in cat cat1 jj; do
		python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/$x.xml" && ok "junit $x.xml: well-formed" || bad "junit $x.xml: well-formed"
	done
fi
expect_exit 2 "catalog --junit to a bad path" "$H" catalog hmm-no-owner-check --junit "$T/no/such/dir/c.xml"

# The progress line: on a terminal (a pty from script(1)), not when stderr is
# redirected, not with --no-progress.  A sanitizer's build (it does not start
# under ulimit -v, as in faults.sh) is about ten times slower: its runs are
# ten times shorter, as long in seconds.
k=1
(ulimit -v 60000 && "$H" --help >/dev/null 2>&1) || k=10
expect_exit 0 "long run, stderr to a file" "$H" explore driver-fault-race --iterations $((100000 / k))
[[ ! -s $T/err ]] && ok "no progress line when stderr is not a terminal" || bad "no progress line when stderr is not a terminal"
if command -v script >/dev/null && script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	# runs of about 2 s here: the line shows from 0.5 s on
	progress_re='hmmsim: [0-9]+/[0-9]+ executions \([0-9]+%\), [0-9]+/s, 0 violations, [0-9a-z ]+ left'
	script -qec "$H explore driver-fault-race --iterations $((200000 / k))" /dev/null >"$T/pty" </dev/null
	grep -aqE "$progress_re" "$T/pty" && ok "progress line on a terminal" || bad "progress line on a terminal"
	grep -aq $'\r *\rhmmsim explore driver-fault-race' "$T/pty" && ok "progress line cleared" || bad "progress line cleared"
	script -qec "$H explore driver-fault-race --iterations $((400000 / k)) --jobs 2" /dev/null >"$T/pty" </dev/null
	grep -aqE "$progress_re" "$T/pty" && ok "--jobs: progress line on a terminal" || bad "--jobs: progress line on a terminal"
	script -qec "$H explore driver-fault-race --iterations $((100000 / k)) --no-progress" /dev/null >"$T/pty" </dev/null
	grep -aq 'executions (' "$T/pty" && bad "--no-progress: no progress line" || ok "--no-progress: no progress line"
else
	echo "skip progress on a pty: no script(1), or no pty for it"
fi

# Bad input: exit 2 and a one-line message.
expect_exit 2 "unknown scenario" "$H" explore no-such-thing
[[ $(wc -l <"$T/err") == 1 ]] && ok "one-line message" || bad "one-line message"
expect_exit 2 "bad number" "$H" explore lost-update --iterations 12x
expect_exit 2 "negative number" "$H" explore lost-update --seed -1
expect_exit 2 "bad strategy" "$H" explore lost-update --strategy bogus
expect_exit 2 "unknown option" "$H" explore lost-update --frobnicate
expect_exit 2 "bad token" "$H" replay lost-update --schedule not-a-token
last=${tok: -1}
[[ $last == 0 ]] && repl=1 || repl=0
expect_exit 2 "damaged token" "$H" replay lost-update --schedule "${tok%?}$repl"
expect_exit 2 "token from another scenario" "$H" replay abba --schedule "$tok"
grep -q "another scenario" "$T/err" && ok "says another scenario" || bad "says another scenario"
expect_exit 2 "missing command" "$H"
expect_exit 2 "unknown command" "$H" frob
# An option without its value names the option; extra words after --help
# or --version are refused; help COMMAND is COMMAND --help.
for c in "explore lost-update --preemptions" "explore lost-update --iterations" \
	"catalog --seed" "experiment owner --iterations"; do
	expect_exit 2 "$c (no value)" "$H" $c
	grep -q -- "${c##* } wants" "$T/err" && ok "$c: names the option" || bad "$c: $(cat "$T/err")"
done
expect_exit 2 "--help with two words" "$H" --help merge explore
expect_exit 2 "--help with an unknown command" "$H" --help frob
expect_exit 2 "--version with a word" "$H" --version x
expect_exit 0 "help merge" "$H" help merge
"$H" merge --help >"$T/want"
cmp -s "$T/out" "$T/want" && ok "help merge: merge --help's text" || bad "help merge: another text"
# --por-check is dpor's: refused up front, once, also with --jobs (each
# worker said it, and the parent named a worker that exited with status 2)
for j in "" "--jobs 2"; do
	expect_exit 2 "--por-check without dpor${j:+ $j}" "$H" explore lost-update --por-check $j --no-progress
	[[ $(wc -l <"$T/err") == 1 ]] && grep -q -- "--por-check works with --strategy dpor" "$T/err" &&
		ok "one line naming --por-check${j:+ ($j)}" || bad "--por-check without dpor $j: $(cat "$T/err")"
done
# stress runs hmmsim-native; its errors are hmmsim's
expect_exit 2 "stress: unknown scenario" "$H" stress no-such-thing
grep -q '^hmmsim: ' "$T/err" && ok "stress: the error says hmmsim" || bad "stress: $(cat "$T/err")"

finish
