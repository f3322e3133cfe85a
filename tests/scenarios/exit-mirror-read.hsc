# A device read through the reference driver's mirror racing the
# process's last mmput() (exit_mmap(), mm/mmap.c).  The reference driver
# clears its mirror when the address space goes: the read sees the pages,
# or -ENOENT once they are gone.  Clean.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2
init device-read m0 0x100000 2 = 0x1 0x2
thread device
  device-read-mirror m0 0x100000 2 may-fail
thread exit
  mmput p
final device-read-mirror m0 0x100000 1 fails ENOENT
expect clean
explore dpor
