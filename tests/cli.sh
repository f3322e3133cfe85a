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
