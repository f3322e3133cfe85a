# v6.19's device THP migration: a CPU read faults the device THP back
# (do_huge_pmd_device_private() -> migrate_to_ram: its collect installs a
# PMD migration entry) while the driver migrates the range back to RAM too
# (test_hmm's HMM_DMIRROR_MIGRATE_TO_SYS).  migrate_vma_collect_huge_pmd()
# skips any non-present PMD that is not this owner's device-private entry,
# so the second collect skips the other's PMD migration entry (its wait for
# a migration entry, after that test, is dead code: "mm/migrate_device: fix
# double unlock", April 2026, was dropped as obsolete for that reason).
# Until session 28 the model waited there, and a switch repeated the
# unlock after the wait: the catalog's collect-huge-pmd-double-unlock, a
# bug no kernel can reach; it is gone.  Clean whatever the order: the page
# ends in RAM with its value.
machine ram 2048
process p va 16M
vma p 0x200000 512 rw huge
device gpu0 pages 1024
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init migrate-to-dev m0 0x200000 512
init snapshot m0 0x200000 2 = dev|w|pmd

thread cpu
  cpu-read p 0x200000 = 0xa
thread migrate
  migrate-to-sys m0 0x200000 512 may-fail

final cpu-read p 0x200000 = 0xa
final snapshot m0 0x200000 1 = w|pmd
expect clean
explore dpor
