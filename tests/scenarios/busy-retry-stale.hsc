# A driver that answers -EBUSY from hmm_range_fault() by calling it again
# with the sequence it already has: once an invalidation moved the notifier
# sequence, that sequence is stale for good and every call returns -EBUSY
# (hmm_range_fault() checks it first).  The driver spins: a livelock.  The
# fix goes back to mmu_interval_read_begin(): busy-restart.hsc.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2

thread driver
  read-begin m0 s
  range-fault m0 s 0x100000 2 fault on-busy retry     # the bug: the same, stale sequence
  lock m0
  read-retry m0 s on-fail unlock-restart
  program m0 s
  unlock m0
thread zap
  madvise p 0x101000 1

expect violation livelock
explore dfs 1
step-bound 2000
