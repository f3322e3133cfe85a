# A mirror whose invalidate callback, written as actions, takes the lock and
# clears the mirror but never calls mmu_interval_set_seq(): a fault that
# ran hmm_range_fault() before the invalidation passes its read-retry and
# programs the page MADV_DONTNEED took away.  The reference callback
# (callback-reference.hsc) is clean.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p
callback m0
  lock
  clear                 # the bug: no set-seq
  unlock
init cpu-write p 0x100000 0x1

thread driver
  read-begin m0 s
  range-fault m0 s 0x100000 1 fault on-busy restart
  lock m0
  read-retry m0 s on-fail unlock-restart
  program m0 s
  device-read-mirror m0 0x100000 1
  unlock m0
thread zap
  madvise p 0x100000 1

expect violation coherence
explore dfs 2
