# The owner lab, reregister: c reads a's page directly while both are in
# cluster P, then c moves to cluster Q by registering a new pagemap.  The
# direct entry c made with its old key must not survive the change: the
# reregister invalidates the device's own mirrors as mutable-marked does
# (before session 28 it only evicted its memory, and c's later read used
# a's page directly: a false clean of the policy, reported as wrong-owner).
owner-policy reregister
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 4
machine ram 32
process p va 4M
vma p 0x100000 1 rw
device a pages 2 at sw0.0 owner P
device c pages 2 at sw0.1 owner P
cluster Q
mirror ma a p
mirror mc c p
init cpu-write p 0x100000 0x5a
init migrate-to-dev ma 0x100000 1
thread tc
  device-read mc 0x100000 1 = 0x5a
thread chg
  owner-change c Q
final device-read mc 0x100000 1 = 0x5a
final check-leaks
expect clean
explore dpor
