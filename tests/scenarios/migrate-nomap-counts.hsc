# migrate-map-counts.hsc with a driver that does not map what it migrated
# (the model's default migrate-to-dev): the device faults the pages in when
# it reads them, one fault more than test_hmm's driver takes, which the
# fault count finds.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x10
init cpu-write p 0x101000 0x11

thread gpu
  migrate-to-dev m0 0x100000 2        # the bug: not mapped
  check-migrated m0 2
  device-read m0 0x100000 2 = 0x10 0x11
  check-faults m0 0
  snapshot m0 0x100000 2 = dev|w

expect violation assertion
explore dfs 1
