# The device's removal (evict: test_hmm's dmirror_device_remove_chunks())
# takes its pages off the free list and keeps none freed afterwards
# (devmem->remove), so a migration through a mirror still open allocates
# nothing from the pagemap memunmap_pages() killed.  Until session 27 the
# model's removal left the free list as it was, and the migration took a
# page of the dead pagemap (a false kernel-bug: "zone_device_page_init:
# pfn 0x40 of a dying pagemap").  test_hmm would make a new chunk; the
# model's device has one pagemap, so nothing moves (the count stays at the
# init's one page).  Found by a sweep of the model's pieces against each
# other.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x10
init cpu-write p 0x101000 0x11
init migrate-to-dev m0 0x100000 1
thread t
  evict gpu0
  migrate-to-dev m0 0x101000 1 may-fail
  check-migrated m0 1
final cpu-read p 0x100000 = 0x10
final cpu-read p 0x101000 = 0x11
final check-leaks
expect clean
explore dpor
