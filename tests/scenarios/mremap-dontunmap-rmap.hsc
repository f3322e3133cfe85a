# mremap-dontunmap.hsc with "mm: fix race between mremap and removing
# migration entry" (v3.3) undone: the device's eviction turned a page's
# device-private entry into a migration entry, mremap() moves that entry
# before remove_migration_ptes() takes the old PTL, the walk finds nothing
# at the old address and the entry stays: the CPU's fault at the new address
# waits for a migration that is over, for ever.
process p va 8M
vma p 0x100000 2 rw
vma p 0x300000 2 rw                      # the destination
device gpu0 pages 4
mirror m0 gpu0 p
switch mremap_rmap_unlocked
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb
init migrate-to-dev m0 0x100000 2

thread cpu
  mremap p 0x100000 2 0x300000 dontunmap
  cpu-read p 0x300000 = 0xa
thread evict
  evict gpu0

final cpu-read p 0x301000 = 0xb

expect violation livelock
explore dfs 2
