# A device-private THP (v6.19: one PMD device-private entry) is split by a
# partial zap while a CPU fault migrates the whole folio back to RAM
# (do_huge_pmd_device_private() -> the driver's migrate_to_ram with
# MIGRATE_VMA_SELECT_COMPOUND).  The zap is madvise(MADV_DONTNEED) of the
# second half: it holds mmap_lock for read as the fault does (a partial
# munmap() splits the PMD when it cuts the VMA, under mmap_lock for write,
# so it never overlaps a fault; tests/scenarios/thp-device-split-munmap.hsc).
# The split runs under the PMD lock, before the migration's collect (the
# ptes are device-private: the fault migrates the first half page by page,
# the zap frees the rest) or after it (the PMD migration entry becomes 512
# pte migration entries of the locked folio; the zap clears half of them,
# finalize maps what is left).  The data of the first half survives and
# every device page comes back.  Clean: `hmmsim explore FILE --strategy
# dpor` exhausts it in 327 executions (0.7 s; --por-check clean); the test
# runs pct 300.  With the planted
# switch thp_split_folio_unlocked (the split does not keep the migration's
# folio lock on the other 511 pages) finalize unlocks pages it no longer
# holds: tests/scenarios/thp-device-split-unlocked.hsc.
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
expect clean
explore pct 300
