# test_hmm's own race (lib/test_hmm.c): release() evicts the device's pages
# in one pass (migrate_device_range(): a page it cannot lock is skipped)
# and then frees the mirror.  A CPU fault that has the page locked and
# referenced in do_swap_page() keeps it on the device; its migrate_to_ram,
# dmirror_devmem_fault(), then takes the mirror from the page's
# zone_device_data, which release() just freed.  The use-after-free oracle
# (dmirror_check_alive()) reports it; dpor finds it in its probe rounds.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x10
init migrate-to-dev m0 0x100000 1
thread t
  release m0
thread cpu
  cpu-read p 0x100000 = 0x10
expect violation use-after-free
explore dpor
