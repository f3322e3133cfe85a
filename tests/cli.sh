#!/usr/bin/env bash
# The hmmsim command: exit codes, reports, byte-identical replay, stable JSON,
# and clear refusals of bad input.  Usage: cli.sh PATH/TO/hmmsim
set -u
H=${1:?usage: cli.sh PATH/TO/hmmsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
# expect_exit CODE NAME CMD...
expect_exit() {
	local want=$1 name=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [[ $got == "$want" ]]; then ok "$name (exit $got)"; else bad "$name: exit $got, want $want"; cat "$T/out" "$T/err" | head -20; fi
}

expect_exit 0 "--help" "$H" --help
grep -q "explore NAME" "$T/out" && ok "--help lists explore" || bad "--help lists explore"
expect_exit 0 "list" "$H" list
grep -q "^  lost-update " "$T/out" && ok "list shows lost-update" || bad "list shows lost-update"

# The acceptance run: found, with a report and a token.
expect_exit 1 "explore lost-update pct 1000" "$H" explore lost-update --strategy pct --iterations 1000
cp "$T/out" "$T/explore.txt"
grep -q "^VIOLATION data-race: data race on c->value: plain read by T2 inc2 in inc_thread, concurrent with plain write by T1 inc1 in inc_thread" "$T/explore.txt" && ok "report names the violation" || bad "report names the violation"
tok=$(sed -n 's/^replay: hmmsim replay lost-update --schedule //p' "$T/explore.txt")
[[ $tok =~ ^1-[0-9a-f]{8}-[A-Za-z0-9_-]*-[0-9a-f]{4}$ ]] && ok "token printed ($tok)" || bad "token printed: '$tok'"

# Replay: the same violation and the same event list, byte for byte.
expect_exit 1 "replay the token" "$H" replay lost-update --schedule "$tok"
sed -n '/^VIOLATION/,$p' "$T/explore.txt" | sed '2d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '2d' >"$T/b"
if cmp -s "$T/a" "$T/b" && [[ -s $T/a ]]; then ok "replay event list identical"; else bad "replay event list differs"; diff "$T/a" "$T/b" | head; fi

# The oracles can be switched off: then the lost update itself, replayed with
# the same switch.
grep -q -- "--no-races" <("$H" --help) && grep -q -- "--no-lockdep" <("$H" --help) &&
	grep -q -- "--no-might-sleep" <("$H" --help) && ok "--help lists the oracle switches" || bad "--help lists the oracle switches"
expect_exit 1 "explore lost-update --no-races" "$H" explore lost-update --no-races
grep -q "^VIOLATION assertion: counter is 1" "$T/out" && ok "--no-races: the assertion" || bad "--no-races: the assertion"
cp "$T/out" "$T/nr.txt"
ntok=$(sed -n 's/^replay: hmmsim replay lost-update --schedule //p' "$T/nr.txt")
expect_exit 1 "replay --no-races" "$H" replay lost-update --schedule "$ntok" --no-races
sed -n '/^VIOLATION/,$p' "$T/nr.txt" | sed '2d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '2d' >"$T/b"
cmp -s "$T/a" "$T/b" && ok "--no-races replay identical" || bad "--no-races replay identical"

# The kernel model's race, brief report, replayed byte for byte too.
expect_exit 1 "explore driver-fault-race-noretry --brief" "$H" explore driver-fault-race-noretry --brief
grep -q "^VIOLATION coherence" "$T/out" && ok "driver bug is a coherence violation" || bad "driver bug is a coherence violation"
grep -q "dmirror: mirror 0x" "$T/out" && ok "report names model events" || bad "report names model events"
grep -q "atomic_load" "$T/out" && bad "--brief leaves out atomics" || ok "--brief leaves out atomics"
cp "$T/out" "$T/drv.txt"
dtok=$(sed -n 's/^replay: hmmsim replay driver-fault-race-noretry --schedule //p' "$T/drv.txt")
expect_exit 1 "replay driver token --brief" "$H" replay driver-fault-race-noretry --schedule "$dtok" --brief
sed -n '/^VIOLATION/,$p' "$T/drv.txt" | sed '2d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '2d' >"$T/b"
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
ttok=$(sed -n 's/^replay: hmmsim replay driver-fault-race-noretry --schedule //p' "$T/out")
expect_exit 1 "replay --trace-out" "$H" replay driver-fault-race-noretry --schedule "$ttok" --brief --trace-out "$T/trace2.json"
cmp -s "$T/trace.json" "$T/trace2.json" && ok "replay trace byte-identical" || bad "replay trace byte-identical"
expect_exit 2 "--trace-out to a bad path" "$H" explore lost-update --trace-out "$T/no/such/dir/t.json"

# Minimization: explore minimizes by default; minimize shrinks a given token.
expect_exit 1 "explore random --no-minimize" "$H" explore lost-update --strategy random --seed 3 --no-races --no-minimize
grep -q "minimized" "$T/out" && bad "--no-minimize does not minimize" || ok "--no-minimize does not minimize"
rtok=$(sed -n 's/^replay: hmmsim replay lost-update --schedule //p' "$T/out")
expect_exit 1 "minimize the token" "$H" minimize lost-update --schedule "$rtok" --no-races
grep -q "^VIOLATION assertion" "$T/out" && ok "minimize keeps the kind" || bad "minimize keeps the kind"
grep -q "to 1 choices, 1 preemptions" "$T/out" && ok "minimized to 1 preemption" || bad "minimized to 1 preemption"
mtok=$(sed -n 's/^replay: hmmsim replay lost-update --schedule //p' "$T/out")
(( ${#mtok} <= ${#rtok} )) && ok "minimized token not longer" || bad "minimized token not longer"
cp "$T/out" "$T/min.txt"
expect_exit 1 "minimized token replays strictly" "$H" replay lost-update --schedule "$mtok" --no-races
sed -n '/^VIOLATION/,$p' "$T/min.txt" | sed '2d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '2d' >"$T/b"
cmp -s "$T/a" "$T/b" && ok "minimized replay identical" || bad "minimized replay identical"
expect_exit 1 "explore minimizes by default" "$H" explore lost-update --strategy random --seed 3 --no-races --json
grep -q '"original_schedule":"'"$rtok"'"' "$T/out" && grep -q '"schedule":"'"$mtok"'"' "$T/out" && ok "--json: minimized and original schedules" || bad "--json: minimized and original schedules"
expect_exit 2 "minimize a bad token" "$H" minimize lost-update --schedule not-a-token
expect_exit 2 "minimize without --schedule" "$H" minimize lost-update

# Sharded campaigns: the shards' union is the unsharded run, merge joins them.
shard_run() { "$H" explore lost-update --strategy random --iterations 400 --no-races --keep-going --max-reports 1000 --no-minimize --json "$@"; }
untimed() { sed -E 's/"elapsed_s":[0-9.e+-]+,"execs_per_s":[0-9.e+-]+//; s/"shards":[0-9]+,//' "$1"; }
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

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
