#!/usr/bin/env bash
# explore --html FILE --jobs J: the page is the one the same run without
# --jobs writes, for the same violations (but for the timing and the build's
# revision), every report with its swimlanes: each worker sends every
# report's trace, not only its first (with two workers and three reports the
# third had none).  No browser needed (tests/cli/html.sh renders pages).
# Usage: html_jobs.sh PATH/TO/hmmsim
set -u
H=${1:?usage: html_jobs.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

# the page but for what differs from run to run: timing, the build
norm() { grep -v 'id="version"\|class="timing"' "$1"; }
# same NAME ARGS...: the --jobs 2 and --jobs 3 pages are the page without --jobs
same() {
	local name=$1
	shift
	"$H" explore "$@" --html "$T/one.html" >/dev/null 2>"$T/err"
	local rc=$? n
	if [[ $rc != 1 ]]; then
		bad "$name: exit $rc without --jobs, want 1: $(head -1 "$T/err")"
		return
	fi
	n=$(grep -c '<section class="violation"' "$T/one.html")
	[[ $n -ge 1 && $(grep -c 'class="swimlanes"' "$T/one.html") == "$n" ]] &&
		ok "$name: $n reports, each with its swimlanes" || bad "$name: swimlanes without --jobs"
	for j in 2 3; do
		"$H" explore "$@" --jobs $j --html "$T/j.html" >/dev/null 2>"$T/err"
		rc=$?
		if [[ $rc == 1 ]] && cmp -s <(norm "$T/one.html") <(norm "$T/j.html"); then
			ok "$name --jobs $j: the same page"
		else
			bad "$name --jobs $j: exit $rc, $(grep -c 'class="swimlanes"' "$T/j.html") swimlanes of $n"
			diff <(norm "$T/one.html") <(norm "$T/j.html") | head -10
		fi
	done
}
same "lost-update, 3 reports" lost-update --keep-going --max-reports 3 --iterations 200
same "lost-update, 5 reports by random" lost-update --strategy random --keep-going \
	--max-reports 5 --iterations 300 --no-minimize
same "seqcount-noretry, 4 reports" seqcount-noretry --keep-going --max-reports 4 --iterations 400
same "lost-update, the first violation" lost-update --iterations 200

finish html-jobs
