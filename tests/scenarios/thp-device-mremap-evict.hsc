# A device THP (one PMD device-private entry) moved whole by mremap()
# (move_huge_pmd()), then the device removed: the eviction by pfn finds the
# folio's mapping at its new address (the kernel's rmap walk follows the
# moved VMA's anon_vma; the model's per-page records move with the PMD)
# and brings the data back.  Until session 26 the records kept the old
# address: the eviction missed the mapping and memunmap_pages() waited for
# ever (a deadlock the kernel does not have).  Found by a sweep of THP
# against the other model pieces.
machine ram 2048
process p va 16M
vma p 0x200000 512 rw huge
vma p 0x600000 512 rw huge               # the destination
device gpu0 pages 1024
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init cpu-write p 0x201000 0xb
init migrate-to-dev m0 0x200000 512
init snapshot m0 0x200000 2 = dev|w|pmd
thread t
  mremap p 0x200000 512 0x600000
  snapshot m0 0x600000 2 = dev|w|pmd
  evict gpu0
final cpu-read p 0x600000 = 0xa
final cpu-read p 0x601000 = 0xb
no-check-data
step-bound 400000
expect clean
explore dpor
