# fork() against device removal (the eviction of every device page by pfn:
# migrate_device_range(), try_to_migrate(), remove_migration_ptes()): fork
# waits for a migration entry it meets (model/fork.c), and an eviction
# after the fork finds the child's device-private entries through the
# device page's rmap (hs_dev_rmap_add()), so both processes end with RAM
# pages holding the parent's data.  Clean under every interleaving (explore
# dpor: 4,419 executions).
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
process c fork-of p
device gpu0 pages 8
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101
init migrate-to-dev m0 0x100000 2

thread forker
  fork p c
thread evictor
  evict gpu0
final cpu-read c 0x100000 = 0x100
final cpu-read p 0x101000 = 0x101
final check-leaks

expect clean
explore dpor
