# A pinned THP migrated whole (MIGRATE_VMA_SELECT_COMPOUND) while another
# device's mirror takes a snapshot of it.  The kernel's
# set_pmd_migration_entry() (mm/huge_memory.c, the same in v6.12 and
# v6.19) fails folio_try_share_anon_rmap_pmd() on an exclusive anonymous
# folio that may be DMA-pinned and puts the PMD back under the PMD lock
# (-EBUSY); migrate_vma_collect_huge_pmd() takes its fallback, split_folio()
# fails on the pin and the range is skipped.  No one ever sees a PMD
# migration entry: the snapshot always finds the THP, and nothing moves.
# Until session 28 the model's set_pmd_migration_entry() always made the
# entry (migrate_device_unmap() refused the pinned folio later and put the
# PMD back), so the snapshot could see none; the pte path has done as the
# kernel since session 24 (migrate_vma_collect_unmap_pte()).
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
device gpu0 pages 1024
device gpu1 pages 4
mirror m0 gpu0 p
mirror m1 gpu1 p
init cpu-write p 0x200000 0xa            # a THP
init pin p 0x200000

thread mig
  migrate-to-dev m0 0x200000 512
  check-migrated m0 0
thread snap
  snapshot m1 0x200000 1 = w|pmd

final snapshot m1 0x200000 1 = w|pmd
final cpu-read p 0x200000 = 0xa

expect clean
explore dpor
