# The CPU fault on a device THP (v6.19) when system memory has no free
# aligned 512 pages and fewer than 512 free pages at all: the reference
# driver's dmirror_devmem_fault_alloc_and_copy() gets no THP, falls back
# to base pages and runs out.  test_hmm then unlocks and frees the base
# pages it took and clears the folio's dst entries before VM_FAULT_OOM, and
# dmirror_devmem_fault()'s migrate_vma_finalize() puts the device THP back:
# both faults fail (VM_FAULT_OOM: -EFAULT here), the PMD device-private
# entry is still there, nothing is leaked.  Until session 28 the model
# returned with the base pages still in dst[] and finalize took the first
# for the destination of the whole compound entry (a false kernel-bug
# "freed while still mapped", or refcount "folio_get ... of a free folio").
# Found by a sweep of the migration machinery (D52).  The second THP takes
# the only aligned block the first one freed.
machine ram 1024
process p va 64M
vma p 0x200000 512 rw huge
vma p 0x400000 512 rw huge
device gpu0 pages 1024
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init migrate-to-dev m0 0x200000 512
init snapshot m0 0x200000 1 = dev|w|pmd
init cpu-write p 0x400000 0xb
init snapshot m0 0x400000 1 = w|pmd
thread t
  cpu-read p 0x200000 fails EFAULT
thread t2
  cpu-read p 0x3ff000 fails EFAULT
final snapshot m0 0x200000 1 = dev|w|pmd
final check-leaks
no-check-data
expect clean
explore dpor
