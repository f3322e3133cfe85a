# A page fork() shared copy-on-write migrates to the device for both
# processes, as in the kernel: migrate_vma_collect_pmd() unmaps the
# parent's pte (not PG_anon_exclusive: the batched clear, a readable
# migration entry), migrate_device_unmap()'s try_to_migrate() walks the
# page's rmap to the child's pte, migrate_vma_check_page() passes (only
# collect's reference is left), and remove_migration_ptes() maps the
# device page in both mms as read-only device-private entries (both
# snapshots: r|dev).  A CPU read in either process then migrates it back
# through dmirror_devmem_fault(), again through the rmap, to a RAM page
# both map; each write breaks COW (do_wp_page() copies: the page is mapped
# twice), so the child never sees the parent's write nor the parent the
# child's, and nothing leaks.  The model before session 29 gave the page
# back (check-migrated: 0 pages).  Clean (explore dpor: 80,552 executions).
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
process c fork-of p
device gpu0 pages 8
mirror m0 gpu0 p
mirror mc gpu0 c
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread child
  fork p c
  migrate-to-dev m0 0x100000 2
  check-migrated m0 2
  snapshot m0 0x100000 2 = r|dev
  snapshot mc 0x100000 2 = r|dev
  signal migrated
  cpu-read c 0x101000 = 0x101
  cpu-write c 0x100000 0x300
thread parent
  wait migrated
  cpu-read p 0x100000 = 0x100
  cpu-write p 0x101000 0x201

final cpu-read p 0x100000 = 0x100
final cpu-read p 0x101000 = 0x201
final cpu-read c 0x100000 = 0x300
final cpu-read c 0x101000 = 0x101
final check-leaks

expect clean
explore dpor
