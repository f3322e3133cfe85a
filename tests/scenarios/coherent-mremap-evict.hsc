# mremap() of device-coherent pages' present ptes, then a FOLL_LONGTERM pin
# at the new address of one (which migrates a coherent page to RAM:
# migrate_device_coherent_folio()) and the device's removal.  The anon rmap
# follows the moved VMA, so both find the mapping at its new address.
# Until session 27 the model moved its record of a device page's mapping
# only for device-private, migration and exclusive entries: the eviction
# looked at the old address and memunmap_pages() waited for ever (a false
# deadlock), and the pin failed with -EBUSY.  Found by a sweep of the
# model's pieces against each other.
process p va 8M
vma p 0x100000 1 rw
vma p 0x300000 1 rw
vma p 0x500000 1 rw
device gpu pages 2 coherent
mirror mg gpu p
init cpu-write p 0x100000 0x10
init cpu-write p 0x500000 0x30
init migrate-to-dev mg 0x100000 1
init migrate-to-dev mg 0x500000 1
init mremap p 0x100000 1 0x300000
init mremap p 0x500000 1 0x100000
thread m
  pin p 0x100000 1 longterm
  unpin p 0x100000 1
  evict gpu
final cpu-read p 0x300000 = 0x10
final cpu-read p 0x100000 = 0x30
final check-leaks
expect clean
explore dpor
