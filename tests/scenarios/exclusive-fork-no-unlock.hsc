# exclusive-fork.hsc with nouveau's missing folio unlock + put after
# make_device_exclusive_range() (fixed in v6.14-rc): every fork after the
# grant fails with -EBUSY, and the folio keeps the lock and the reference
# the driver never gave back.  Found as a leak.
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
process c fork-of p
device gpu0 pages 8
mirror m0 gpu0 p
bug m0 exclusive-no-unlock
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread device
  device-exclusive m0 0x100000 2 may-fail   # -ENOENT: the page was taken back before the read
  device-atomic m0 0x100000 1 1
thread forker
  fork p c may-fail
final check-leaks

expect violation leak
explore dfs 2
