#!/usr/bin/env bash
# The model switches on the command line: hmmsim list --switches prints every
# switch of include/hmmsim/switches.h with the fix it undoes (the catalog's
# title for the same fix), each one is taken by --switch, and an unknown name
# is refused with the list of known ones.  Usage: switches.sh PATH/TO/hmmsim SRC_DIR
set -u
H=${1:?usage: switches.sh PATH/TO/hmmsim SRC_DIR}
S=${2:?usage: switches.sh PATH/TO/hmmsim SRC_DIR}
N=$(dirname "$H")/hmmsim-native
. "$(dirname "$0")/lib.sh"

# The fields of struct hs_switches, from the header.
sed -n '/^struct hs_switches {/,/^};/s/^\tbool \([a-z0-9_]*\);.*/\1/p' "$S/include/hmmsim/switches.h" >"$T/fields"
"$H" list --switches >"$T/list" 2>"$T/err"
rc=$?
[[ $rc == 0 ]] && ok "list --switches (exit 0)" || bad "list --switches: exit $rc"
sed -n 's/^  \([a-z0-9_]*\)  *\(.*\)$/\1/p' "$T/list" >"$T/names"
if [[ -s $T/fields ]] && cmp -s "$T/fields" "$T/names"; then
	ok "every switch, in the header's order ($(wc -l <"$T/names"))"
else
	bad "every switch, in the header's order"
	diff "$T/fields" "$T/names"
fi
# Each with a fix: a file, a title and a release in parentheses.
bad_fix=$(grep '^  [a-z]' "$T/list" | grep -cvE '^  [a-z0-9_]+ +[a-z/_.]+: .+ \((v[0-9.]+|[0-9]{4}).*\)$')
[[ $bad_fix == 0 ]] && ok "each with its fix and release" || bad "$bad_fix switches without a fix"
# The catalog names the same fixes for its core entries.
"$H" catalog --json --iterations 1 >"$T/cat" 2>/dev/null
python3 - "$T/cat" "$T/list" <<'PY' && ok "the catalog's fixes are the switches' fixes" || bad "the catalog's fixes are the switches' fixes"
import json, sys
cat = json.load(open(sys.argv[1]))["entries"]
listed = open(sys.argv[2]).read()
core = [e["fix"] for e in cat if e["side"] == "core"]
missing = [f for f in core if f not in listed]
print("missing:", missing) if missing else None
sys.exit(not core or bool(missing))
PY
# Every name listed is taken by --switch (one execution: exit 0 or 1, not 2).
n=0
while read -r sw; do
	"$H" explore abba --iterations 1 --switch "$sw" >/dev/null 2>&1
	[[ $? -le 1 ]] || { bad "--switch $sw refused"; n=1; }
done <"$T/names"
[[ $n == 0 ]] && ok "--switch takes every listed name"

# An unknown name: exit 2, and the known names.
for cmd in "$H explore abba --switch nosuch" "$H replay abba --schedule x --switch nosuch" \
	"$N stress abba --switch nosuch"; do
	$cmd >"$T/out" 2>"$T/err"
	rc=$?
	if [[ $rc == 2 ]] && grep -q "unknown switch 'nosuch'; the switches are: $(head -1 "$T/names"), " "$T/err" &&
		grep -q "$(tail -1 "$T/names") (hmmsim list --switches)$" "$T/err"; then
		ok "${cmd#"$(dirname "$H")"/}: refused with the list"
	else
		bad "${cmd#"$(dirname "$H")"/}: exit $rc: $(cat "$T/err")"
	fi
done
"$H" explore abba --switch >"$T/out" 2>"$T/err"
[[ $? == 2 ]] && grep -q -- "--switch wants a name; the switches are: " "$T/err" &&
	ok "--switch without a name: the list" || bad "--switch without a name: $(cat "$T/err")"
"$H" --help | grep -q -- "list \[--switches\]" && ok "--help shows list --switches" || bad "--help shows list --switches"

finish
