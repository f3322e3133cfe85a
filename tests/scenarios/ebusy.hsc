# "drm/amdkfd: retry after EBUSY is returned from hmm_ranges_get_pages"
# (v6.6) as steps: the driver's range-fault has no on-busy restart, so the
# -EBUSY a concurrent zap causes fails the request.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2

thread driver
  read-begin m0 s1
  range-fault m0 s1 0x100000 2 fault     # the bug: -EBUSY means "again"
  lock m0
  read-retry m0 s1 on-fail unlock-restart
  program m0 s1
  unlock m0
thread zap
  madvise p 0x101000 1

expect violation assertion
