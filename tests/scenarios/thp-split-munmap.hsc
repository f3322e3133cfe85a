# A partial munmap() splits a THP (vma_adjust_trans_huge() ->
# __split_huge_pmd(), MMU_NOTIFY_CLEAR, then MMU_NOTIFY_UNMAP of the page)
# while the device mirrors the THP: the device reads the huge PMD's pages
# (map order 9) or, after the split, the ptes; the unmapped page faults
# -EFAULT.  Clean with the correct driver; thp-split-munmap-noretry.hsc is
# the driver that skips mmu_interval_read_retry().
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa            # a write fault on a huge VMA: a THP
init cpu-write p 0x201000 0xb
init snapshot m0 0x200000 2 = w|pmd

thread device
  device-read m0 0x200000 2 may-fail     # -EFAULT once the second page is gone
thread unmap
  munmap p 0x201000 1

final cpu-read p 0x200000 = 0xa
final snapshot m0 0x200000 1 = w             # ptes now: the PMD was split
final device-read m0 0x200000 1 = 0xa

expect clean
explore dfs 2
