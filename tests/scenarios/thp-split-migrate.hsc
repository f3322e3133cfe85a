# Two splits of one THP race: a migration of two of its pages to the device
# (migrate_vma_collect_pmd() splits a THP first, as before v6.19's
# MIGRATE_VMA_SELECT_COMPOUND) and a partial munmap() of a third page
# (vma_adjust_trans_huge()).  Whichever splits first, the other finds ptes;
# the migrated pages come back with their data on the CPU's reads.
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa            # a THP
init cpu-write p 0x201000 0xb
init cpu-write p 0x202000 0xc

thread migrate
  migrate-to-dev m0 0x200000 2
thread unmap
  munmap p 0x202000 1

final cpu-read p 0x200000 = 0xa
final cpu-read p 0x201000 = 0xb
final check-data p 0x200000 2

expect clean
explore dfs 2
