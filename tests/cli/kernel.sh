#!/usr/bin/env bash
# hmmsim --kernel VERSION: a release's switches on explore, replay, list,
# catalog, experiment and stress; reports and JSON name the release only when
# it is given; a bad release exits 2 with the known ones.
# Usage: kernel.sh PATH/TO/hmmsim
set -u
H=${1:?usage: kernel.sh PATH/TO/hmmsim}
. "$(dirname "$0")/lib.sh"

# 5.17 predates "mm/memory.c: fix race when faulting a device private page"
# (v6.1): the driver race reaches that use-after-free.
expect_exit 1 "explore driver-fault-race --kernel 5.17" "$H" explore driver-fault-race --kernel 5.17
grep -q "^kernel 5.17: switches .*notifier_remove_lockless_wait" "$T/out" && ok "the report names the release and its switches" || bad "the report names the release"
grep -q "^VIOLATION use-after-free: do_swap_page" "$T/out" && ok "5.17 has the v6.1 do_swap_page use-after-free" || bad "5.17 has the v6.1 do_swap_page use-after-free"
expect_exit 0 "explore driver-fault-race --kernel 6.18" "$H" explore driver-fault-race --kernel 6.18 --iterations 300 --json
grep -q '^{"scenario":"driver-fault-race","kernel":"6.18",' "$T/out" && ok "JSON names the release" || bad "JSON names the release"
expect_exit 0 "explore without --kernel" "$H" explore driver-fault-race --iterations 300 --json
sed 's/"version":{[^}]*}//' "$T/out" | grep -q '"kernel"' && bad "JSON without --kernel has no kernel member" || ok "JSON without --kernel has no kernel member"

expect_exit 2 "a bad release" "$H" explore driver-fault-race --kernel 4.19
grep -q "^hmmsim: unknown kernel release '4.19'; known releases: 5.0 .* 6.18 .*" "$T/err" && ok "a bad release lists the known ones" || bad "a bad release lists the known ones"
expect_exit 2 "a missing release" "$H" explore driver-fault-race --kernel
expect_exit 2 "list --kernel bad" "$H" list --kernel 6.1.1

expect_exit 0 "list --kernel 6.1" "$H" list --kernel 6.1
grep -Eq "^    swap_page_ref_without_ptl +fixed in v6.1 +off" "$T/out" && grep -Eq "^    swap_page_lock_unconditional +fixed in v6.15 +on" "$T/out" && ok "list --kernel 6.1: off up to 6.1, on after" || bad "list --kernel 6.1"

expect_exit 0 "list --kernel 5.17" "$H" list --kernel 5.17
grep -Eq "^    swap_page_spin_on_locked +fixed in v7.0 +off, came in v6.15" "$T/out" && ok "list --kernel 5.17: a bug that came in 6.15 is off" || bad "list --kernel 5.17: swap_page_spin_on_locked"
expect_exit 0 "list --kernel 6.15" "$H" list --kernel 6.15
grep -Eq "^    swap_page_spin_on_locked +fixed in v7.0 +on, came in v6.15" "$T/out" && ok "list --kernel 6.15: on from the release it came in" || bad "list --kernel 6.15: swap_page_spin_on_locked"

# A release before a fix finds its bug, with a replay line naming its switches.
expect_exit 1 "explore catalog-two-faults --kernel 6.0" "$H" explore catalog-two-faults --kernel 6.0 --iterations 2000
line=$(sed -n 's/^replay: hmmsim //p' "$T/out")
read -r -a words <<<"$line"
expect_exit 1 "its replay line" "$H" "${words[@]}"
expect_exit 0 "the release of the fix, with every later fix" "$H" explore catalog-dirty-bit --kernel 6.0 --iterations 200

expect_exit 0 "catalog --kernel 6.12" "$H" catalog --kernel 6.12 --iterations 3000
grep -q "^kernel 6.12 has [0-9]* of these bugs" "$T/out" && ok "catalog --kernel reports the entries the release has" || bad "catalog --kernel summary"
grep -Eq "^dmem-fault-copy-error +driver +v6.12 +no +no" "$T/out" && grep -Eq "^kfd-mmput-in-notifier +driver +v6.16 +yes +yes" "$T/out" && ok "catalog --kernel 6.12: fixed in 6.12 clean, fixed in 6.16 found" || bad "catalog --kernel 6.12 rows"
expect_exit 0 "catalog ENTRY --kernel --json" "$H" catalog kfd-restore-work-exit --kernel 5.16 --json
grep -q '^{"kernel":"5.16",.*"has_bug":true,"found":true,' "$T/out" && ok "catalog --kernel --json" || bad "catalog --kernel --json"
expect_exit 2 "catalog --kernel with --junit" "$H" catalog --kernel 6.1 --junit "$T/j.xml"

expect_exit 0 "experiment owner --kernel 6.1 --json" "$H" experiment owner --kernel 6.1 --json --iterations 20
grep -q '^{"experiment":"owner","kernel":"6.1",' "$T/out" && ok "experiment JSON names the release" || bad "experiment JSON names the release"

expect_exit 0 "stress --kernel 6.18 --json" "$H" stress driver-fault-race --kernel 6.18 --iterations 50 --json
grep -q '"kernel":"6.18"' "$T/out" && ok "stress JSON names the release" || bad "stress JSON names the release"

finish kernel.sh
