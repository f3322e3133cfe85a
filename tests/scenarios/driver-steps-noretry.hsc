# A buggy driver written only as steps: it programs its mirror from the
# pfns hmm_range_fault() returned without mmu_interval_read_retry(), so an
# invalidation that ran meanwhile is missed and the device keeps reaching a
# page the CPU no longer maps (driver-fault-race-noretry as data).
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread driver
  read-begin m0 s1
  range-fault m0 s1 0x100000 2 fault on-busy restart
  lock m0
  program m0 s1                          # the bug: no read-retry before this
  device-read-mirror m0 0x100000 2
  unlock m0
thread reclaim
  swapout p 0x100000 may-fail
  madvise p 0x101000 1

expect violation coherence
explore dfs 2
