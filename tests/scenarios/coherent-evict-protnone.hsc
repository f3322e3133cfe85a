# evict-protnone.hsc for device-coherent memory: the coherent page's
# present pte made protnone by mprotect(PROT_NONE), then the device's
# removal (try_to_migrate(), then remove_migration_pte() by pfn): the RAM
# page is mapped with the VMA's vm_page_prot, protnone, and a CPU read
# fails (-EFAULT).  Until session 28 the model mapped it with an ordinary
# present pte and the read after the eviction succeeded.  Found by a sweep
# of the migration machinery (D57).
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2 coherent
mirror m0 gpu0 p
init cpu-write p 0x100000 0x5
init migrate-to-dev m0 0x100000 1
init mprotect p 0x100000 1 none
init cpu-read p 0x100000 fails EFAULT
thread evict
  evict gpu0
thread cpu
  cpu-read p 0x100000 fails EFAULT
final cpu-read p 0x100000 fails EFAULT
final mprotect p 0x100000 1 rw
final cpu-read p 0x100000 = 0x5
final check-leaks
expect clean
explore dpor
