#!/usr/bin/env bash
# Scenario files on the command line: hmmsim explore/replay FILE.hsc, and
# hmmsim-native stress FILE.hsc; a bad file is exit 2 with one line
# "FILE:LINE:COL: expected ..., got ...".
# Usage: scenario_cli.sh PATH/TO/hmmsim PATH/TO/tests/scenarios
set -u
H=${1:?usage: scenario_cli.sh PATH/TO/hmmsim SCENARIO_DIR}
D=${2:?usage: scenario_cli.sh PATH/TO/hmmsim SCENARIO_DIR}
N=$(dirname "$H")/hmmsim-native
. "$(dirname "$0")/../cli/lib.sh"

grep -q "FILE.hsc" <("$H" --help) && ok "--help mentions FILE.hsc" || bad "--help mentions FILE.hsc"

# explore a file by path; the report names the file's lines; replay is byte-identical
expect_exit 1 "explore a buggy driver file" "$H" explore "$D/driver-steps-noretry.hsc" --brief
cp "$T/out" "$T/explore.txt"
grep -q "^VIOLATION coherence" "$T/explore.txt" && ok "found as coherence" || bad "found as coherence"
grep -q "driver-steps-noretry.hsc:16 program m0 s1" "$T/explore.txt" && ok "report names the file's steps" || bad "report names the file's steps"
tok=$(sed -n 's/^replay: hmmsim replay .*driver-steps-noretry.hsc --schedule //p' "$T/explore.txt")
[[ -n $tok ]] && ok "token printed" || bad "token printed"
expect_exit 1 "replay FILE.hsc --schedule" "$H" replay "$D/driver-steps-noretry.hsc" --schedule "$tok" --brief
sed -n '/^VIOLATION/,$p' "$T/explore.txt" | sed '/^found in execution \|^replayed/d' >"$T/a"
sed -n '/^VIOLATION/,$p' "$T/out" | sed '/^found in execution \|^replayed/d' >"$T/b"
cmp -s "$T/a" "$T/b" && [[ -s $T/a ]] && ok "replay identical" || bad "replay identical"
# the token names the file (by basename): another file refuses it
expect_exit 2 "token of another file" "$H" replay "$D/driver-steps.hsc" --schedule "$tok"
expect_exit 0 "explore a clean file, dfs" "$H" explore "$D/driver-steps.hsc" --strategy dfs
grep -q "exhaustive" "$T/out" && ok "dfs exhaustive" || bad "dfs exhaustive"

# bad files: exit 2, one line
printf 'process p va 4M\nvma p 0x100000 1 rw\nthread t\n  cpu-read p 0x100100\n' >"$T/bad.hsc"
expect_exit 2 "a bad file" "$H" explore "$T/bad.hsc"
[[ $(cat "$T/err") == "hmmsim: $T/bad.hsc:4:14: expected a page-aligned address, got '0x100100'" ]] &&
	ok "file:line:col message" || bad "file:line:col message: $(cat "$T/err")"
# a file that runs nothing (no thread, no init or final step) tests nothing
printf 'process p va 4M\nvma p 0x100000 1 rw\nexpect clean\n' >"$T/empty.hsc"
expect_exit 2 "a file without threads" "$H" explore "$T/empty.hsc"
[[ $(cat "$T/err") == "hmmsim: $T/empty.hsc:4:1: expected a thread block or an init or final step, got end of file" ]] &&
	ok "no threads: file:line:col message" || bad "no threads: file:line:col message: $(cat "$T/err")"
expect_exit 2 "a missing file" "$H" explore "$T/none.hsc"
[[ $(wc -l <"$T/err") == 1 ]] && ok "one-line message" || bad "one-line message"
expect_exit 2 "replay of a bad file" "$H" replay "$T/bad.hsc" --schedule 1-00000000-AA-0000

# the native backend runs files too
if [[ -x $N ]]; then
	expect_exit 0 "stress a clean file" "$N" stress "$D/driver-race.hsc" --iterations 100 --threads-jitter
	expect_exit 2 "stress a bad file" "$N" stress "$T/bad.hsc" --iterations 1
	grep -q "bad.hsc:4:14: expected a page-aligned address" "$T/err" && ok "native: same message" || bad "native: same message"
fi

# docs/scenarios.md: every example `TEXT` (FILE.hsc) is a line of that tested file
doc=$D/../../docs/scenarios.md
if [[ -f $doc ]]; then
	n=0 missing=0
	while IFS=$'\t' read -r text file; do
		n=$((n + 1))
		if [[ ! -f $D/$file ]] || ! grep -qF -- "$text" "$D/$file"; then
			missing=$((missing + 1))
			echo "  not in $file: $text"
		fi
	done < <(grep -o '`[^`]*` ([a-z0-9.-]*\.hsc)' "$doc" |
		sed 's/^`\(.*\)` (\(.*\))$/\1\t\2/; s/\\|/|/g')
	[[ $n -gt 40 && $missing == 0 ]] && ok "docs: $n examples found in their files" ||
		bad "docs: $missing of $n examples not in their files"
fi

finish
