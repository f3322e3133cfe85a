# oom-reap-nonblock-skip.hsc with the reference driver's callback: the
# device reads through its mirror twice under dmirror->mutex, and the
# reaper's non-blocking MMU_NOTIFY_UNMAP (__oom_reap_task_mm() ->
# mmu_notifier_invalidate_range_start_nonblock(), v6.12) meanwhile finds the
# mutex taken: the callback refuses (mutex_trylock() failed: false, as
# test_hmm's dmirror_interval_invalidate()), mn_itree_invalidate() ends the
# range again, and the reaper leaves the VMA mapped and tries again, at
# most ten times (it may give up: -EAGAIN).  Clean.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x5
init pin p 0x100000
init device-read m0 0x100000 1 = 0x5
thread device
  lock m0
  device-read-mirror m0 0x100000 1 may-fail
  device-read-mirror m0 0x100000 1 may-fail
  unlock m0
thread reaper
  oom-reap p may-fail
expect clean
explore dpor
