# A MAP_SHARED|MAP_ANONYMOUS (shmem) VMA beside an anonymous one: the device
# reads and writes both; migration moves only anonymous memory
# (__migrate_device_pages() refuses a page with a mapping), so the shared
# page stays in RAM and both keep their data.  Where the anonymous page ends
# is not checked: it usually ends on the device, but the device's read can
# walk its pte while the migration has cleared it (ptep_get_and_clear()
# before the migration entry, under the pte lock the walk does not take),
# fault after the migration is done, and do_swap_page() migrates the page
# back to RAM (migrate_to_ram()).  dpor found that with three preemptions,
# beyond the dfs bound of 2 this file used to ask for; clean under every
# interleaving (explore dpor: 1,495 executions).
process p va 4M
vma p 0x100000 1 rw
vma p 0x200000 1 rw shared
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x200000 0x2

thread device
  device-write m0 0x200000 1 0x20
  device-read m0 0x100000 1
thread migrate
  migrate-to-dev m0 0x100000 1
  migrate-to-dev m0 0x200000 1

final device-read m0 0x200000 1 = 0x20
final check-entry m0 0x200000 ram
final device-read m0 0x100000 1 = 0x1
final cpu-read p 0x200000 = 0x20

expect clean
explore dpor
