# A partial munmap() of a device-private THP (v6.19) while a CPU fault
# migrates it back to RAM: munmap cuts the VMA under mmap_lock for write
# (vma_adjust_trans_huge() splits the PMD device-private entry into 256
# device-private ptes on each side), so it runs before or after the whole
# fault, never inside it.  Either way the first half's data survives and
# every device page comes back.  Clean (dpor: exhausted, 20
# executions).
machine ram 2048
process p va 16M
vma p 0x200000 512 rw huge
device gpu0 pages 1024
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init cpu-write p 0x2ff000 0xb
init migrate-to-dev m0 0x200000 512
init snapshot m0 0x200000 2 = dev|w|pmd

thread cpu
  cpu-read p 0x200000 = 0xa
thread unmapper
  munmap p 0x300000 256

final cpu-read p 0x2ff000 = 0xb

no-check-data                            # the finals read what matters
expect clean
explore pct 300
