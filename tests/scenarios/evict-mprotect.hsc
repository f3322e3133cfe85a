# mprotect(PROT_NONE) against the device's removal of the page it covers.
# remove_migration_pte() reads the rmap walk's VMA's vm_page_prot under the
# PTL without mmap_lock; mprotect_fixup() sets it before change_protection()
# walks the ptes under the same PTL, so whichever comes first the pte ends
# protnone and the read after both fails (-EFAULT).  The model reads the
# VMA's flags the same way (hs_rmap_vma_flags(), a noted read dpor orders
# against mprotect's noted write; --por-check clean).  Until session 28 the
# by-pfn path never made a protnone pte: when the eviction came after the
# mprotect the read went through.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x5
init migrate-to-dev m0 0x100000 1
thread evict
  evict gpu0
thread prot
  mprotect p 0x100000 1 none
final cpu-read p 0x100000 fails EFAULT
final mprotect p 0x100000 1 rw
final cpu-read p 0x100000 = 0x5
final check-leaks
expect clean
explore dpor
