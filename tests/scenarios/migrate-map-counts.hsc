# What hmm-tests counts: a migration that maps what it moved (test_hmm's
# dmirror_migrate_finalize_and_map()) moves two pages and the device then
# reads them without a fault.  migrate-nomap-counts.hsc is the driver that
# does not map them: its device faults once more, which the count finds.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x10
init cpu-write p 0x101000 0x11

thread gpu
  migrate-to-dev m0 0x100000 2 map
  check-migrated m0 2
  device-read m0 0x100000 2 = 0x10 0x11
  check-faults m0 0
  snapshot m0 0x100000 2 = dev|w

expect clean
explore dfs 1
