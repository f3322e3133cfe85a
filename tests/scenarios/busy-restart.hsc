# busy-retry-stale.hsc fixed: on -EBUSY the driver goes back to
# mmu_interval_read_begin() for a new sequence, as dmirror_range_fault()
# does.  Clean under every schedule with at most two preemptions.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2

thread driver
  read-begin m0 s
  range-fault m0 s 0x100000 2 fault on-busy restart   # a new sequence each time
  lock m0
  read-retry m0 s on-fail unlock-restart
  program m0 s
  unlock m0
thread zap
  madvise p 0x101000 1

expect clean
explore dfs 2
