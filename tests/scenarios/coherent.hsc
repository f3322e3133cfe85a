# Device-coherent memory (MEMORY_DEVICE_COHERENT, test_hmm's coherent
# devices): pages migrated to the device stay mapped by the CPU with present
# ptes, so CPU loads and stores reach the device memory without a fault; only
# migrate-to-sys (MIGRATE_VMA_SELECT_DEVICE_COHERENT) brings them back.  The
# migration back races a CPU store to one of the pages: the store reaches the
# device page (before collect), waits on the migration entry, or lands in the
# new RAM page, and is never lost.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2 coherent
mirror m0 gpu0 p
init cpu-write p 0x100000 0x11
init cpu-write p 0x101000 0x22
init migrate-to-dev m0 0x100000 2
init check-migrated m0 2
init snapshot m0 0x100000 2 = w|coh
init cpu-read p 0x100000 = 0x11
init device-read m0 0x101000 1 = 0x22

thread cpu
  cpu-write p 0x101000 0x33
thread back
  migrate-to-sys m0 0x100000 2

final snapshot m0 0x100000 2 = w
final cpu-read p 0x101000 = 0x33
final check-data p 0x100000 2
expect clean
explore dfs 2
