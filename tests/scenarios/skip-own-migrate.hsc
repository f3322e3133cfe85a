# lib/test_hmm.c's invalidate callback, which ignores the device's own
# migrations: a fault that ran hmm_range_fault() before the migration
# programs the mirror with the page the migration moved away.  dpor finds
# the coherence violation first; pct may first find the same bug as the
# device's use-after-free of the page the migration freed.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 8
mirror m0 gpu0 p
bug m0 skip-own-migrate
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread device
  device-read m0 0x100000 2
  device-write m0 0x100000 2 0x200
thread migrator
  migrate-to-dev m0 0x100000 2
  cpu-write p 0x101000 0x300

expect violation coherence
explore dpor
