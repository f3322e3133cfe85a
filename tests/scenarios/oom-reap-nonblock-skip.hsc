# The OOM reaper against a driver whose invalidate callback, for a
# non-blockable range whose mutex_trylock() fails, returns true without
# clearing its mirror (bug nonblock-skip, planted: test_hmm's
# dmirror_interval_invalidate() returns false there).  The device reads
# through its mirror twice under dmirror->mutex; between the two the reaper
# (oom_reap_task(), mm/oom_kill.c, v6.12) takes the callback's true for
# done and zaps the page (unmap_page_range()), and the second read reaches
# a page the CPU page table no longer maps: coherence.  The pin keeps the
# page allocated; without it the read after the reap's free is reported as
# the same stale entry's use-after-free.  oom-reap-nonblock.hsc is the
# reference driver's twin, clean.  Needs the reaper's model (session 29):
# the starting model has no oom-reap step.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
bug m0 nonblock-skip
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
expect violation coherence
explore dpor
