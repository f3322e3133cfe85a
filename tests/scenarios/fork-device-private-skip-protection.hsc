# fork-device-private.hsc with a driver whose invalidate callback ignores
# MMU_NOTIFY_PROTECTION_PAGE (a driver that only acts on unmaps, clears and
# migrations): after the fork the mirror still maps the device-private page
# writable while the CPU entry is read-only and shared with the child, so a
# device write reaches the child's data (the coherence oracle checks the
# entry before the store, and this callback does not wait for the mutex
# the store holds).  Found as data-loss in the child.
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
process c fork-of p
device gpu0 pages 8
mirror m0 gpu0 p
callback m0
  return if protection-page   # the bug
  lock
  set-seq
  clear
  unlock
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101
init migrate-to-dev m0 0x100000 2

thread forker
  fork p c
thread device
  device-read m0 0x100000 2
  device-write m0 0x100000 1 0x200 may-fail

final cpu-read c 0x100000
final cpu-write c 0x101000 0x301

expect violation data-loss
explore dfs 2
