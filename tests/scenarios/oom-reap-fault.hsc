# The OOM reaper against a device fault and a mirror read of the
# reference driver.  oom_reap_task() (mm/oom_kill.c, read in v6.12) takes
# mmap_read_trylock() and unmaps each private VMA inside a non-blocking
# MMU_NOTIFY_UNMAP invalidation (mmu_notifier_invalidate_range_start_nonblock());
# test_hmm's dmirror_interval_invalidate() takes dmirror->mutex with
# mutex_trylock() for such a range and refuses it when the device holds the
# mutex, and the reaper leaves the VMA for its next attempt (at most ten).
# Whatever the order the mirror never maps a page the reap freed: clean.
# The reap may give up (-EAGAIN) if the device holds the mutex through all
# ten attempts; the device's fault after the reap maps new zeroed pages.
# Written with the reaper's model (session 29): nothing called the
# non-blocking start before, so it pins a path, not a change.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101
thread device
  device-read m0 0x100000 2
  device-read-mirror m0 0x100000 2 may-fail
thread reaper
  oom-reap p may-fail
expect clean
explore dpor
