# make_device_exclusive() of a device-coherent page: v6.15+ refuses only
# non-anonymous and hugetlb folios, and a coherent page is anonymous, so
# gpu1 gets the grant (until session 28 the model refused every ZONE_DEVICE
# page with -EOPNOTSUPP).  Then gpu0's memory is removed (the eviction by
# pfn: try_to_migrate() meets the device-exclusive entry and makes it a
# migration entry, as page_vma_mapped_walk() finds it since v6.15, under
# an MMU_NOTIFY_CLEAR that ends gpu1's atomic mapping) while gpu1 reads
# through that mapping: whatever the order the page ends in RAM with its
# value, the grant is gone and nothing leaks.  (A CPU fault instead of the
# read takes a speculative reference that can make the one eviction pass
# fail, and memunmap_pages() then waits for ever: test_hmm's own race,
# release-evict-fault.hsc's kind, not this file's.)
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1 coherent
device gpu1 pages 2
mirror m0 gpu0 p
mirror m1 gpu1 p
init cpu-write p 0x100000 0x5
init migrate-to-dev m0 0x100000 1
init device-exclusive m1 0x100000 1 = 0x5
init check-exclusive m1 0x100000 1 fails EPERM
thread ev
  evict gpu0
thread dev
  device-read m1 0x100000 1 = 0x5
final check-exclusive m1 0x100000 1
final snapshot m1 0x100000 1 = w
final cpu-read p 0x100000 = 0x5
final check-leaks
expect clean
explore dpor
