# A bug that needs no preemption, behind a deep first subtree (tests/cli/
# coverage.sh): mprotect-none-noretry.hsc with a third thread, declared last,
# that reads another page 150 times.  The bug shows when protect runs before
# device, a choice made when main waits in its join: bound 0.  The iterative
# dfs finds it in its 8th execution; the single bound-2 tree (before it) went
# through device's subtree first: 128,413 executions.
process p va 4M
vma p 0x100000 1 rw
vma p 0x200000 1 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x5
init cpu-write p 0x200000 0x7
init mprotect p 0x100000 1 r

thread device
  read-begin m0 s
  range-fault m0 s 0x100000 1 fault
  lock m0
  read-retry m0 s on-fail ignore
  program m0 s
  device-read-mirror m0 0x100000 1 may-fail
  unlock m0
thread protect
  mprotect p 0x100000 1 none
thread reader
  repeat 150
    cpu-read p 0x200000
  end

final cpu-read p 0x100000 fails EFAULT

expect violation assertion
explore dfs 2
