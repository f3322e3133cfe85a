# A driver that ignores mmu_interval_read_retry() programs its mirror with a
# read-only page while mprotect(PROT_NONE) takes every access away, and its
# device keeps reading it.  The coherence oracle compares the device's
# access (read) with what the CPU page table grants now (a protnone pte:
# nothing) and reports it.  When mprotect runs first, the fault itself
# fails with -EFAULT and the driver returns it (on-error stop): the bound-0
# schedules of the iterative dfs run that order before any preemption.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x5
init mprotect p 0x100000 1 r

thread device
  read-begin m0 s
  range-fault m0 s 0x100000 1 fault on-error stop
  lock m0
  read-retry m0 s on-fail ignore
  program m0 s
  device-read-mirror m0 0x100000 1 may-fail
  unlock m0
thread protect
  mprotect p 0x100000 1 none

final cpu-read p 0x100000 fails EFAULT

expect violation coherence
explore dfs 2
