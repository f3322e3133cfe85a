# thp-device-split-race.hsc with a planted bug (no kernel has it): the
# partial zap that splits the PMD migration entry of the device THP (the CPU
# fault's migration holds the folio locked) splits the folio as if nobody
# held its lock: the migration's lock then covers its first page only, the
# other 511 pages sit under migration entries unlocked (a fault on one would
# not wait for the migration), and finalize unlocks pages it no longer holds
# (kernel-bug: folio_unlock() of a folio that is not locked).
switch thp_split_folio_unlocked
machine ram 2048
process p va 16M
vma p 0x200000 512 rw huge
device gpu0 pages 1024
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init cpu-write p 0x2ff000 0xb
init cpu-write p 0x300000 0xc
init migrate-to-dev m0 0x200000 512
init snapshot m0 0x200000 2 = dev|w|pmd

thread cpu
  cpu-read p 0x200000 = 0xa
thread zapper
  madvise p 0x300000 256

final cpu-read p 0x2ff000 = 0xb
final cpu-read p 0x300000 = 0x0

no-check-data                            # the finals read what matters
expect violation kernel-bug
explore pct 3000
