#!/usr/bin/env bash
# Memory of a long dpor run: the resident set of `hmmsim explore SCENARIO
# --strategy dpor`, sampled every INTERVAL seconds for SECONDS seconds (or
# until the run ends), then the run's own figures (executions, dpor_bytes:
# the exploration stack and object table at their largest).  A flat RSS after
# the first samples is what docs/engine.md ("Memory") promises: the dpor
# bookkeeping is bounded by the depth of one execution times the threads,
# and execution memory is reset, not freed, between executions.
#
#   bench/dpor_rss.sh [SCENARIO] [SECONDS] [INTERVAL]   (default
#   driver-fault-race 600 30; HMMSIM=path/to/hmmsim, default build/hmmsim)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-driver-fault-race}
seconds=${2:-600}
interval=${3:-30}
bin=${HMMSIM:-build/hmmsim}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$bin" explore "$scenario" --strategy dpor --no-progress --json >"$out" &
pid=$!
start=$(date +%s)
printf '%8s %10s\n' seconds rss_kib
while kill -0 "$pid" 2>/dev/null; do
	now=$(( $(date +%s) - start ))
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
	[ -n "$rss" ] && printf '%8d %10d\n' "$now" "$rss"
	if [ "$now" -ge "$seconds" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		break
	fi
	sleep "$interval"
done
wait "$pid" || true
# the run's figures, when it printed them (a run stopped by SIGTERM says so)
python3 -c '
import json, sys
try:
	d = json.load(open(sys.argv[1]))
except ValueError:
	print("(no JSON: the run printed nothing)")
	sys.exit(0)
keys = ("executions", "exhausted", "max_depth", "dpor_bytes", "estimated_total", "elapsed_s")
print(" ".join("%s=%s" % (k, d.get(k)) for k in keys))
' "$out"
