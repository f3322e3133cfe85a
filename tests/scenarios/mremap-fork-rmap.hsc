# mremap-fork.hsc with "mm: fix race between mremap and removing migration
# entry" (v3.3) undone (switch mremap_rmap_unlocked): the eviction's walk
# reads a mm's recorded address, the mm's mremap() moves the migration entry
# before the walk takes the old PTL, the entry stays a migration entry, and
# that process's fault at the new address waits for a migration that is
# over, for ever.  Found as livelock.
machine ram 64
process p va 8M
vma p 0x100000 2 rw
vma p 0x300000 2 rw                      # the child's destination
vma p 0x500000 2 rw                      # the parent's
process c fork-of p
device gpu0 pages 4
switch mremap_rmap_unlocked
mirror m0 gpu0 p
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb
init migrate-to-dev m0 0x100000 2

thread cpu
  fork p c
  mremap c 0x100000 2 0x300000
  mremap p 0x100000 2 0x500000
  cpu-read c 0x300000 = 0xa
thread evict
  evict gpu0

final cpu-read p 0x501000 = 0xb
final cpu-read c 0x301000 = 0xb
final cpu-write c 0x300000 0xc
final cpu-read p 0x500000 = 0xa
final check-data p 0x500000 2
final check-data c 0x300000 2
final check-leaks

expect violation livelock
explore dfs 2
