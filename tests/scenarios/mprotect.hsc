# mprotect() to read-only while the device writes through its mirror: the
# write either lands before or fails with -EPERM; after it the mirror must
# not stay writable (the coherence oracle checks the write permission too).
process p va 4M
vma p 0x100000 2 rw
vma p 0x200000 1 none                    # PROT_NONE: every access faults
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x5

thread device
  device-write m0 0x100000 2 0x10 may-fail   # -EPERM once read-only
  device-write-mirror m0 0x100000 1 0x20 may-fail
thread protect
  mprotect p 0x100000 2 r

final device-write m0 0x100000 1 0x30 fails EPERM
final cpu-write p 0x100000 0x31 fails EFAULT
final device-read m0 0x100000 2
final cpu-read p 0x200000 fails EFAULT
final mprotect p 0x200000 1 rw
final cpu-write p 0x200000 0x40

expect clean
explore dfs 2
