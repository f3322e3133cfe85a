# A driver thread samples the notifier's sequence with mmu_interval_read_begin()
# while it holds its mutex, the one its invalidate callback takes
# (dmirror_interval_invalidate()).  read_begin() may sleep until an
# invalidation's callbacks are done, so the kernel tells lockdep so: it
# takes __mmu_notifier_invalidate_range_start_map for an instant, as it holds
# the map around the callbacks themselves (and as every allocation that may
# reclaim takes it).  Lockdep then has dmirror->mutex -> the map (here) and
# the map -> dmirror->mutex (the zap's callback): a lock-order cycle,
# reported in the first execution that has both halves.  Here the zap only
# starts after the sampler has let go of the mutex (signal/wait), so no
# execution can deadlock, or even wait: the report is lockdep's, about the
# order, as the kernel's would be.  Without the map (the model before
# session 25) the file was clean.  driver-steps.hsc calls read_begin()
# before it takes the mutex: clean.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100

thread sampler
  lock m0                                            # mutex_lock(&dmirror->mutex)
  read-begin m0 s1                                   # the bug: under the mutex
  unlock m0
  signal done
thread zap
  wait done
  madvise p 0x100000 1

expect violation lock-order
explore dpor
