# A migration to the device that maps the new device page into the mirror
# as lib/test_hmm.c's dmirror_migrate_finalize_and_map() does: right after
# migrate_vma_pages(), under the mutex, with no notifier sequence.  A
# MADV_DONTNEED (under mmap_read_lock, as the migration) that invalidates
# the range after migrate_vma_setup() clears the mirror and zaps the
# migration entry; the map that follows names a device page the CPU page
# table no longer has, which the device then reads.  A munmap, which takes
# mmap_lock for writing, cannot come in between: migrate-map-munmap.hsc is
# clean.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1

thread migrate
  migrate-to-dev m0 0x100000 1 map          # the bug: no sequence
  device-read-mirror m0 0x100000 1 may-fail # the device uses what was mapped
thread zap
  madvise p 0x100000 1

expect violation coherence
explore dfs 2
