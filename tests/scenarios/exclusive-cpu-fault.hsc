# A device-exclusive grant (HMM_DMIRROR_EXCLUSIVE: make_device_exclusive(),
# then dmirror_atomic_map() under the folio lock) against the CPU faulting
# the page back (remove_device_exclusive_entry(): the folio lock, an
# MMU_NOTIFY_EXCLUSIVE invalidation, the pte restored) and the device's
# atomics through the grant.  The coherence oracle checks every atomic the
# device does through an atomic entry against the CPU pte: it must still be
# that device-exclusive entry.  Clean; with nouveau's missing folio unlock
# it deadlocks (exclusive-no-unlock.hsc); unlocked before the atomic mapping,
# the device does atomics on a page the CPU took back (exclusive-unlock-early.hsc).
# Clean under every interleaving (explore dpor: 15,464 executions).
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
device gpu0 pages 8
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread device
  device-exclusive m0 0x100000 2 may-fail   # -ENOENT: the page was taken back before the read
  device-atomic m0 0x100000 1 1
thread cpu
  cpu-write p 0x100000 0x300
  cpu-read p 0x101000 = 0x101
final cpu-read p 0x100000
final cpu-read p 0x101000
final check-exclusive m0 0x100000 2     # the CPU took both pages back: no atomic entry left
final check-leaks

expect clean
explore dpor
