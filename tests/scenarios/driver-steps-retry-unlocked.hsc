# A buggy driver written only as steps: it checks mmu_interval_read_retry()
# before taking the lock its invalidate callback takes ("drm/amdgpu: Add
# notifier lock for KFD userptrs", v6.2), so an invalidation can run between
# the check and the programming of the mirror.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread driver
  read-begin m0 s1
  range-fault m0 s1 0x100000 2 fault on-busy restart
  read-retry m0 s1 on-fail restart       # the bug: not under the lock
  lock m0
  program m0 s1
  device-read-mirror m0 0x100000 2
  unlock m0
thread reclaim
  swapout p 0x100000 may-fail
  madvise p 0x101000 1

expect violation coherence
explore pct 20000
