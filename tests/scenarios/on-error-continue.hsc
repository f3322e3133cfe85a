# A driver that goes on after hmm_range_fault() failed: the range was
# unmapped first, the fault returns -EFAULT, and the driver programs its
# mirror from the pfns of that failed pass (read-begin started a fresh set:
# none is valid), which dmirror_do_fault() refuses with -EFAULT.  Before
# on-error and the fresh pfns, such a driver silently programmed the pfns of
# an earlier pass.  The fix returns the error: on-error-stop.hsc.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1

thread driver
  read-begin m0 s
  range-fault m0 s 0x100000 1 fault on-busy restart on-error continue   # the bug
  lock m0
  read-retry m0 s on-fail unlock-restart
  program m0 s
  unlock m0
thread unmapper
  munmap p 0x100000 1

expect violation assertion
explore dfs 2
