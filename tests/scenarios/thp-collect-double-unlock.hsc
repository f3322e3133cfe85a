# v6.19's device THP migration, before "mm/migrate_device: fix double
# unlock" (the catalog's collect-huge-pmd-double-unlock): a CPU read faults
# the device THP back (do_huge_pmd_device_private() -> migrate_to_ram: its
# collect installs a PMD migration entry) while the driver migrates the
# range back to RAM too; that collect meets the PMD migration entry, waits
# for it (migration_entry_wait_on_locked() drops the PMD lock) and unlocks
# the PMD lock again: a `lock` violation (dpor: 4 probe executions). Without
# the switch the file is clean, dpor exhausted in 120 executions.
switch collect_huge_pmd_double_unlock
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
  migrate-to-sys m0 0x200000 512

expect violation lock
explore dpor
