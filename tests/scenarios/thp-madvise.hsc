# madvise(MADV_HUGEPAGE) on VMAs that exist (the `madvise ... huge` step):
# the first VMA is advised in `init` and its first write fault maps a THP,
# which the device's snapshot sees as one PMD; the second is advised while
# the device faults it in: a device fault that comes first maps a base page
# (the PTE table is then populated, so no THP follows); one that comes
# after the advice and the CPU's write finds the THP.  Either way both see
# the CPU's data.  Clean.
machine ram 1024
process p va 8M
vma p 0x200000 512 rw
vma p 0x600000 512 rw
device gpu0 pages 4
mirror m0 gpu0 p
init madvise p 0x200000 512 huge
init cpu-write p 0x200000 0xa            # a write fault on an advised VMA: a THP
init snapshot m0 0x200000 2 = w|pmd

thread advise
  madvise p 0x600000 512 huge
  cpu-write p 0x600000 0xb
thread device
  device-read m0 0x601000 1 = 0

final cpu-read p 0x600000 = 0xb
final device-read m0 0x600000 2 = 0xb 0
final check-data p 0x600000 2

expect clean
explore dfs 2
