# A hole of a huge VMA migrated to the device while a CPU write maps a THP
# over it: migrate_vma_setup() collects the empty range as a hole, the CPU
# fault maps a huge PMD there (do_huge_pmd_anonymous_page()), and
# migrate_vma_pages() must then give up on the hole (migrate_vma_insert_page()
# finds the PMD huge) rather than put a device-private pte under the huge
# PMD.  The model used to insert it and lose the device's write (a false
# data-loss at 0x200000); found in session 24's fidelity review.  Clean under
# every interleaving (explore dpor: 18 executions, exhausted; dfs 2: 8,619).
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
device gpu0 pages 4
mirror m0 gpu0 p

thread migrate
  migrate-to-dev m0 0x200000 1 map
  device-write-mirror m0 0x200000 1 0x77 may-fail
thread cpu
  cpu-write p 0x201000 0xb

final check-data p 0x200000 2

expect clean
explore dpor
