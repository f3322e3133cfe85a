# A device-private page in a VMA made PROT_NONE, then the device removed.
# The eviction's remove_migration_pte() (mm/migrate.c, by pfn from
# migrate_device_finalize()) maps the RAM page with
# mk_pte(new, READ_ONCE(vma->vm_page_prot)) of the rmap walk's VMA: a
# protnone pte, so a CPU read faults and fails (SIGSEGV: -EFAULT) before
# and after the eviction.  Until session 28 the model's by-pfn path had no
# VMA and restored an ordinary present pte: the read after the eviction
# went through it.  Found by a sweep of the migration machinery (D31).
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x5
init migrate-to-dev m0 0x100000 1
init mprotect p 0x100000 1 none
thread evict
  evict gpu0
thread cpu
  cpu-read p 0x100000 fails EFAULT
  signal r
thread cpu2
  wait r
  cpu-read p 0x100000 fails EFAULT
final cpu-read p 0x100000 fails EFAULT
final mprotect p 0x100000 1 rw
final cpu-read p 0x100000 = 0x5
final check-leaks
expect clean
explore dpor
