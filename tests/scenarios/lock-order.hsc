# A driver that calls hmm_range_fault() (which takes mmap_lock) while it
# holds the lock its invalidate callback takes, against munmap(), which
# holds mmap_lock for write while the callback runs: mmap_lock and
# dmirror->mutex in both orders.  The lock-order graph reports the cycle
# even in executions that do not deadlock.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1

thread driver
  read-begin m0 s
  lock m0
  range-fault m0 s 0x100000 1 fault may-fail   # the bug: under the lock
  unlock m0
thread unmap
  munmap p 0x100000 1

expect violation lock-order
explore dfs 2
