# fork() of a device-coherent page (a present pte: copy_present_pte())
# against the device's removal.  The child's mapping is in the page's rmap
# (folio_try_dup_anon_rmap_pte() plus anon_vma_fork()), so the eviction's
# try_to_migrate() finds it and moves the page whichever comes first.
# Until session 27 the model recorded a fork's mapping of a device page
# only for device-private entries: an eviction after the fork left the
# child's pte, the page kept its reference and memunmap_pages() waited for
# ever (a false deadlock).  Found by a sweep of the model's pieces against
# each other.
process p va 4M
vma p 0x100000 1 rw
process c fork-of p
device gpu pages 1 coherent
mirror mg gpu p
init cpu-write p 0x100000 0x10
init migrate-to-dev mg 0x100000 1
thread f
  fork p c
  cpu-read c 0x100000 = 0x10
thread ev
  evict gpu
final cpu-read p 0x100000 = 0x10
final check-leaks
expect clean
explore dpor
