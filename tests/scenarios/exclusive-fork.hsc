# A device-exclusive grant against fork(): fork restores the device-exclusive
# entry under folio_trylock() (try_restore_exclusive_pte()) and fails with
# -EBUSY while the grant holds the folio lock (hence may-fail); its
# MMU_NOTIFY_PROTECTION_PAGE invalidation takes the atomic mapping away from
# the device.  The child writes its copy (COW), the parent faults its page
# back.  Clean; with nouveau's missing unlock the folio stays locked and
# referenced: found as a leak (exclusive-fork-no-unlock.hsc).
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
process c fork-of p
device gpu0 pages 8
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread device
  device-exclusive m0 0x100000 2 may-fail   # -ENOENT: the page was taken back before the read
  device-atomic m0 0x100000 1 1
thread forker
  fork p c may-fail
final cpu-write p 0x101000 0x401
final check-leaks

expect clean
explore dfs 2
