# The owner lab's owner-migrate-munmap under pointer (lab/experiment.c),
# its sanity row: a migrates two pages to itself while a CPU munmaps the
# second and a reads the first.  No owner is shared or changed.  Clean
# under every interleaving (explore dpor: 6,851 executions).
owner-policy pointer
machine ram 32
host-bridge hb0
root-port rp0 hb0
root-port rp1 hb0
pci-switch sw0 rp0 4
pci-switch sw1 rp1 4
process p va 4M
vma p 0x100000 2 rw
device a pages 2 at sw0.0
device c pages 2 at sw0.1
mirror ma a p
mirror mc c p
init cpu-write p 0x100000 0x11
init cpu-write p 0x101000 0x12

thread migrate
  migrate-to-dev ma 0x100000 2 may-fail
thread munmap
  munmap p 0x101000 1
thread device-a
  device-read ma 0x100000 1 = 0x11

expect clean
explore dpor
