# mremap() of pages a fork() shares while they live in device memory: the
# parent's pages were migrated to the device, the process forks (both mms
# map the same device-private pages, read-only), then the child and the
# parent each move their mapping with mremap() to a different address,
# while the device evicts its memory.  The device page's rmap keeps one
# address per mm (model/rmap.c): each mm's record moves with its entries,
# so the eviction's by-pfn walk (try_to_migrate(), remove_migration_ptes())
# finds both mappings, before or after each move, and both processes end
# with RAM pages holding the data.  Before the per-mm record, the first
# mremap() was a "model limit" failure.
machine ram 64
process p va 8M
vma p 0x100000 2 rw
vma p 0x300000 2 rw                      # the child's destination
vma p 0x500000 2 rw                      # the parent's
process c fork-of p
device gpu0 pages 4
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

expect clean
explore dfs 2
