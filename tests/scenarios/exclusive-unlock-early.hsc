# exclusive-cpu-fault.hsc with a driver that unlocks and puts the folio
# make_device_exclusive() returned before it maps the page atomic
# (dmirror_atomic_map()): the folio lock is what keeps the CPU fault
# (remove_device_exclusive_entry()) from taking the page back until the
# device mapping is in place.  Here the CPU restores its pte in between and
# the device then does atomics through an atomic entry the CPU no longer
# grants.  Found as coherence.
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
device gpu0 pages 8
mirror m0 gpu0 p
bug m0 exclusive-unlock-early
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread device
  device-exclusive m0 0x100000 2 may-fail   # -ENOENT: the page was taken back before the read
  device-atomic m0 0x100000 1 1
thread cpu
  cpu-write p 0x100000 0x300
  cpu-read p 0x101000 = 0x101

expect violation coherence
explore dfs 2
