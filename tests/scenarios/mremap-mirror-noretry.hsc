# mremap-mirror.hsc with a driver written as steps that programs its mirror
# without mmu_interval_read_retry(): mremap's MMU_NOTIFY_UNMAP is missed and
# the device reaches, at the old address, a page the CPU maps elsewhere now.
process p va 8M
vma p 0x100000 2 rw
vma p 0x300000 2 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb

thread driver
  read-begin m0 s1
  # on-error stop: when the unmap runs first the fault fails with -EFAULT and
  # the driver returns it (the iterative dfs runs that order at bound 0)
  range-fault m0 s1 0x100000 2 fault on-busy restart on-error stop
  lock m0
  program m0 s1                          # the bug: no read-retry before this
  device-read-mirror m0 0x100000 2
  unlock m0
thread cpu
  mremap p 0x100000 2 0x300000

expect violation coherence
explore dfs 2
