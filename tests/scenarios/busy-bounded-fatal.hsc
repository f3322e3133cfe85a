# Bounded retries: the driver starts again on -EBUSY at most once, as drivers
# with a retry budget or a timeout do (HMM_RANGE_DEFAULT_TIMEOUT), and then
# has no error path: two invalidations in a row make hmm_range_fault()
# return -EBUSY twice, and the step fails.  The fix stops with the error
# (the device asks again later): busy-bounded.hsc.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2

thread driver
  read-begin m0 s
  range-fault m0 s 0x100000 2 fault on-busy restart max 1   # the bug: no error path
  lock m0
  read-retry m0 s on-fail unlock-restart
  program m0 s
  unlock m0
thread zap
  madvise p 0x101000 1
  yield                  # the driver restarts meanwhile
  yield
  madvise p 0x100000 1

expect violation assertion
explore dfs 2
