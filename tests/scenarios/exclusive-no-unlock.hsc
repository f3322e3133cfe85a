# exclusive-cpu-fault.hsc with nouveau's bug fixed by "nouveau/svm: fix
# missing folio unlock + put after make_device_exclusive_range()" (v6.14-rc):
# the driver keeps the folio make_device_exclusive() returned locked and
# referenced, so the CPU fault that wants the page back waits for the folio
# lock for ever.  Found as deadlock.
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
device gpu0 pages 8
mirror m0 gpu0 p
bug m0 exclusive-no-unlock
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread device
  device-exclusive m0 0x100000 2 may-fail   # -ENOENT: the page was taken back before the read
  device-atomic m0 0x100000 1 1
thread cpu
  cpu-write p 0x100000 0x300
  cpu-read p 0x101000 = 0x101
final check-leaks

expect violation deadlock
explore dfs 2
