#!/usr/bin/env bash
# Scenario files as their own tests.  Usage: scenarios.sh PATH/TO/hmmsim FILE.hsc...
#
# Each file is explored the way its `explore` line asks (default: pct, 10000
# executions) and must end the way its `expect` line says:
#   expect clean           exit 0; under dfs the search must be exhaustive
#   expect violation KIND  exit 1, the first violation of kind KIND, and its
#                          schedule token replays to the same kind
set -u
H=${1:?usage: scenarios.sh PATH/TO/hmmsim FILE.hsc...}
shift
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# The words of the first line that starts with directive $2 in file $1
# (comments stripped), without the directive.
directive() { sed 's/#.*//' "$1" | awk -v d="$2" '$1 == d { $1 = ""; sub(/^ /, ""); print; exit }'; }

# A JSON string field of the first violation.
field() { sed -n "s/.*\"violations\":\[{\"kind\":\"[^\"]*\".*\"$1\":\"\([^\"]*\)\".*/\1/p" "$2"; }

for f in "$@"; do
	name=$(basename "$f")
	read -r -a exp <<<"$(directive "$f" expect)"
	read -r -a plan <<<"$(directive "$f" explore)"
	if [[ ${#exp[@]} == 0 ]]; then
		bad "$name: no expect line"
		continue
	fi
	args=(--strategy pct --iterations 10000)
	case ${plan[0]:-pct} in
	dfs) args=(--strategy dfs --preemptions "${plan[1]:-2}") ;;
	random) args=(--strategy random --iterations "${plan[1]:-10000}") ;;
	pct)
		args=(--strategy pct)
		i=1
		if [[ ${plan[1]:-} =~ ^[0-9]+$ ]]; then
			args+=(--iterations "${plan[1]}")
			i=2
		else
			args+=(--iterations 10000)
		fi
		[[ ${plan[$i]:-} == depth ]] && args+=(--depth "${plan[$((i + 1))]}")
		;;
	*)
		bad "$name: explore line '${plan[*]}' not understood"
		continue
		;;
	esac
	"$H" explore "$f" "${args[@]}" --json >"$T/out" 2>"$T/err"
	rc=$?
	kind=$(sed -n 's/.*"violations":\[{"kind":"\([^"]*\)".*/\1/p' "$T/out")
	what="$name (${args[*]})"
	if [[ ${exp[0]} == clean ]]; then
		if [[ $rc != 0 ]]; then
			bad "$what: expected clean, got exit $rc ${kind:+($kind: $(field message "$T/out"))}"
			head -c 2000 "$T/err"
		elif [[ ${args[1]} == dfs ]] && ! grep -q '"exhausted":true' "$T/out"; then
			bad "$what: clean, but dfs did not exhaust the schedules"
		else
			ok "$what: clean"
		fi
		continue
	fi
	want=${exp[1]:-}
	if [[ $rc != 1 || $kind != "$want" ]]; then
		bad "$what: expected violation $want, got exit $rc ${kind:+kind $kind}"
		head -c 2000 "$T/err"
		continue
	fi
	ok "$what: violation $kind"
	# The token replays the same violation.
	tok=$(field schedule "$T/out")
	"$H" replay "$f" --schedule "$tok" --json >"$T/rep" 2>"$T/err"
	rc=$?
	rkind=$(sed -n 's/.*"violations":\[{"kind":"\([^"]*\)".*/\1/p' "$T/rep")
	if [[ $rc == 1 && $rkind == "$kind" ]]; then
		ok "$name: replay ${tok:0:40}...: $rkind"
	else
		bad "$name: replay $tok: exit $rc, kind '$rkind'"
		head -c 2000 "$T/err"
	fi
done

echo "$pass passed, $fail failed"
[[ $fail == 0 && $pass -gt 0 ]]
