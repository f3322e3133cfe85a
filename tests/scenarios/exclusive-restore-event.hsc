# Since v6.15 ("mm/mmu_notifier: drop owner from MMU_NOTIFY_EXCLUSIVE",
# D. Hildenbrand) MMU_NOTIFY_EXCLUSIVE only announces the conversion of a
# pte to device-exclusive (owner = make_device_exclusive()'s caller, so
# that caller can filter it out); remove_device_exclusive_entry(), the CPU
# taking the page back, sends MMU_NOTIFY_CLEAR with no owner.  A callback
# that filters out the EXCLUSIVE event (as the header comment invites) must
# still see the CPU's restore and drop its atomic mapping: clean in v6.18.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
callback m0
  return if exclusive
  lock
  set-seq
  clear
  unlock
init cpu-write p 0x100000 0x10
init device-exclusive m0 0x100000 1
thread cpu
  cpu-write p 0x100000 0x11
thread dev
  device-read m0 0x100000 1
final check-exclusive m0 0x100000 1
expect clean
explore dpor
