# The driver's fault protocol written step by step, as dmirror_range_fault()
# in lib/test_hmm.c has it, against a swap-out and a zap of the pages it
# mirrors.  Correct: clean under every schedule with at most 2 preemptions.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread driver
  read-begin m0 s1                                   # mmu_interval_read_begin()
  range-fault m0 s1 0x100000 2 fault on-busy restart # hmm_range_fault(), again on -EBUSY
  lock m0                                            # mutex_lock(&dmirror->mutex)
  read-retry m0 s1 on-fail unlock-restart            # mmu_interval_read_retry()
  program m0 s1                                      # dmirror_do_fault()
  device-read-mirror m0 0x100000 2                   # the device uses the mirror
  unlock m0
thread reclaim
  swapout p 0x100000 may-fail
  madvise p 0x101000 1

expect clean
explore dfs 2
