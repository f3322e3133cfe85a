# fork() of a process whose THP is on the device (v6.19: one PMD
# device-private entry) while a CPU fault migrates it back: fork holds
# mmap_lock for write, so it runs before or after the whole fault.  Before:
# fork splits the PMD entry (copy_huge_pmd() is not modelled; the kernel's
# shares the PMD entry) into 512 device-private ptes, read-only in both
# processes, and the fault then migrates page by page; after: the parent's
# THP is in RAM again and fork splits it as any THP.  The child keeps the
# data it saw at the fork, the parent's later write stays its own.  Clean
# under every interleaving (explore dpor: 29 executions, exhausted).
machine ram 2048
process p va 16M
vma p 0x200000 512 rw huge
process c fork-of p
device gpu0 pages 1024
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init cpu-write p 0x2ff000 0xb
init migrate-to-dev m0 0x200000 512
init snapshot m0 0x200000 2 = dev|w|pmd

thread forker
  fork p c
thread cpu
  cpu-read p 0x200000 = 0xa

final cpu-read c 0x2ff000 = 0xb
final cpu-write p 0x2ff000 0xc
final cpu-read c 0x2ff000 = 0xb
final cpu-read p 0x2ff000 = 0xc
no-check-data
step-bound 200000
expect clean
explore dpor
