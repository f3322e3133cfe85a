# thp-split-munmap.hsc with a driver written as steps that programs its
# mirror from hmm_range_fault()'s pfns without mmu_interval_read_retry():
# the split's and the unmap's invalidations are missed, and the device
# keeps reaching a page of the THP the CPU no longer maps.
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init cpu-write p 0x201000 0xb

thread driver
  read-begin m0 s1
  # on-error stop: when the unmap runs first the fault fails with -EFAULT and
  # the driver returns it (the iterative dfs runs that order at bound 0)
  range-fault m0 s1 0x200000 2 fault on-busy restart on-error stop
  lock m0
  program m0 s1                          # the bug: no read-retry before this
  device-read-mirror m0 0x200000 2
  unlock m0
thread unmap
  munmap p 0x201000 1

expect violation coherence
explore dfs 2
