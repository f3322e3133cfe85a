#!/usr/bin/env bash
# Bad input and faults the other scripts do not cover (found by an audit of
# the command line): merge of a directory or of a file with a NUL byte, an
# output file that would replace an input scenario file or another output
# of the same run, check's workers after a signal to their parent, catalog's
# --strategy message.  Each check fails on the hmmsim before that audit.
# Usage: bad_input_more.sh PATH/TO/hmmsim SCENARIO_DIR
set -u
H=${1:?usage: bad_input_more.sh PATH/TO/hmmsim SCENARIO_DIR}
D=${2:?usage: bad_input_more.sh PATH/TO/hmmsim SCENARIO_DIR}
H=$(realpath "$H") # some checks run in $T (env -C)
. "$(dirname "$0")/lib.sh"
kill_jobs_at_exit
# one_line NAME PATTERN: $T/err is one line matching PATTERN
one_line() {
	[[ $(wc -l <"$T/err") == 1 ]] && grep -q -- "$2" "$T/err" && ok "$1: $(cat "$T/err")" ||
		bad "$1: $(head -c 300 "$T/err")"
}

echo "# merge: a file that cannot be read, a NUL byte"
"$H" explore lost-update --shard 0/2 --json >"$T/s0.json"
"$H" explore lost-update --shard 1/2 --json >"$T/s1.json"
mkdir "$T/dir.json"
expect_exit 2 "merge a directory" "$H" merge "$T/s0.json" "$T/dir.json"
one_line "it says it cannot read it (not: cut short)" "^hmmsim: merge: cannot read .*dir.json: Is a directory"
# a NUL ended the text there: what followed (a second object, junk) went
# unseen and the file merged as whole, exit 1
{ cat "$T/s1.json"; printf '\0'; cat "$T/s1.json"; } >"$T/nul2.json"
{ cat "$T/s1.json"; printf '\0junk{'; } >"$T/nuljunk.json"
for f in nul2 nuljunk; do
	expect_exit 2 "merge a shard with a NUL byte ($f)" "$H" merge "$T/s0.json" "$T/$f.json"
	one_line "it names the NUL byte" "$f.json: not JSON: a NUL byte at byte"
done

echo "# an output file that replaces an input or another output"
cp "$D/evict.hsc" "$T/evict.hsc"
expect_exit 2 "check FILE --junit FILE" "$H" check "$T/evict.hsc" --junit "$T/evict.hsc"
one_line "it says the file is an input" "cannot write .*evict.hsc: it is an input file of this run"
cmp -s "$D/evict.hsc" "$T/evict.hsc" && ok "the scenario file is intact" ||
	{ bad "check --junit replaced the scenario file"; cp "$D/evict.hsc" "$T/evict.hsc"; }
ln -s evict.hsc "$T/link.hsc"
expect_exit 2 "check FILE --junit LINK-TO-FILE" "$H" check "$T/evict.hsc" --junit "$T/link.hsc"
cmp -s "$D/evict.hsc" "$T/evict.hsc" && [[ -L $T/link.hsc ]] && ok "the file and the link are intact" ||
	{ bad "check --junit replaced the scenario file through a link"; cp "$D/evict.hsc" "$T/evict.hsc"; }
for o in --trace-out --junit --html; do
	expect_exit 2 "explore FILE.hsc $o FILE.hsc" "$H" explore "$T/evict.hsc" --iterations 5 --no-progress $o "$T/evict.hsc"
	[[ ! -s $T/out ]] && cmp -s "$D/evict.hsc" "$T/evict.hsc" && ok "$o: refused before the run, the file intact" ||
		{ bad "$o FILE.hsc: the run ran, or the file was replaced"; cp "$D/evict.hsc" "$T/evict.hsc"; }
done
cp "$D/driver-steps-noretry.hsc" "$T/noretry.hsc"
tok=$("$H" explore "$T/noretry.hsc" --brief | sed -n 's/^replay: .* --schedule \([^ ]*\).*/\1/p')
expect_exit 2 "replay FILE.hsc --junit ./FILE.hsc" env -C "$T" "$H" replay noretry.hsc --schedule "$tok" --junit ./noretry.hsc
cmp -s "$D/driver-steps-noretry.hsc" "$T/noretry.hsc" && ok "replay: the file intact" ||
	bad "replay --junit replaced the scenario file"
# two outputs to one file: the one renamed last replaced the other, silently
for pair in "--trace-out X --junit X" "--junit X --html X" "--trace-out X --html ./X"; do
	rm -f "$T/X"
	# shellcheck disable=SC2086
	expect_exit 2 "explore $pair" env -C "$T" "$H" explore lost-update --iterations 5 --no-progress ${pair}
	one_line "$pair: one line" "another output of this run goes there too"
	[[ ! -e $T/X && ! -s $T/out ]] && ok "$pair: refused before the run, no file" || bad "$pair: the run ran, or a file is left"
done
echo old >"$T/X"
expect_exit 2 "explore --trace-out X --junit X (X exists)" env -C "$T" "$H" explore lost-update --iterations 5 --no-progress --trace-out X --junit X
[[ $(cat "$T/X") == old ]] && ok "X as it was" || bad "X was replaced"
expect_exit 2 "explore --jobs 2 --junit X --trace-out X" env -C "$T" "$H" explore lost-update --iterations 50 --no-progress --jobs 2 --junit X --trace-out X
expect_exit 2 "catalog --junit X --html X" env -C "$T" "$H" catalog migrate-no-dirty-copy --iterations 5 --junit X --html X
[[ ! -s $T/out ]] && [[ $(cat "$T/X") == old ]] && ok "catalog: refused before the run, X as it was" || bad "catalog: the run ran, or X was replaced"
# what stays allowed: a device twice, distinct files
expect_exit 1 "--trace-out /dev/null --junit /dev/null" "$H" explore lost-update --iterations 5 --no-progress --trace-out /dev/null --junit /dev/null
expect_exit 1 "three distinct outputs" "$H" explore lost-update --iterations 5 --no-progress \
	--trace-out "$T/a" --junit "$T/b" --html "$T/c"
[[ -s $T/a && -s $T/b && -s $T/c ]] && ok "all three written" || bad "three distinct outputs: $(ls "$T")"

echo "# check --jobs 2: a signal to the parent leaves no worker running"
sed 's/^explore .*/explore pct 100000000/' "$D/driver-race.hsc" >"$T/slow1.hsc"
cp "$T/slow1.hsc" "$T/slow2.hsc"
set -m
for sig in TERM INT; do
	"$H" check "$T/slow1.hsc" "$T/slow2.hsc" --jobs 2 >"$T/ck.out" 2>"$T/ck.err" &
	P=$!
	W=()
	for _ in $(seq 1 600); do
		mapfile -t W < <(pgrep -P "$P")
		((${#W[@]} == 2)) && break
		sleep 0.05
	done
	((${#W[@]} == 2)) || bad "check --jobs 2: two workers (${W[*]})"
	kill -s "$sig" "$P"
	wait "$P"
	rc=$?
	gone=false
	for _ in $(seq 1 200); do
		alive "${W[@]}" || { gone=true; break; }
		sleep 0.05
	done
	$gone && ok "SIG$sig to check --jobs 2: its workers gone (exit $rc)" ||
		{ bad "SIG$sig to check --jobs 2: workers left running (${W[*]})"; kill -9 "${W[@]}" 2>/dev/null; }
done
set +m

echo "# catalog --strategy: the message names every strategy and the value"
expect_exit 2 "catalog --strategy bogus" "$H" catalog --strategy bogus
one_line "it names dpor and 'bogus'" "random, pct, dfs or dpor, not 'bogus'"

finish bad-input-more
