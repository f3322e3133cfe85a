#!/usr/bin/env bash
# Scenario files as their own tests.  Usage: scenarios.sh PATH/TO/hmmsim FILE.hsc...
#
# hmmsim check (sim/cli/check_cmd.c) does the work: each file is explored the
# way its `explore` line asks (default: pct, 10000 executions) and must end the
# way its `expect` line says:
#   expect clean           no violation; under dfs the search must be exhaustive
#   expect violation KIND  the first violation is of kind KIND, and its
#                          schedule token replays to the same kind
set -u
H=${1:?usage: scenarios.sh PATH/TO/hmmsim FILE.hsc...}
shift
exec "$H" check "$@"
