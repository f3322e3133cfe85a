# owner-join.hsc under p2p-callback: c's read may reach a's page through
# a BAR page granted by the change before the change is complete (until
# session 27 a false wrong-owner, "its grant was revoked").
owner-policy p2p-callback
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 4
process p va 4M
vma p 0x100000 1 rw
device a pages 1 at sw0.0 p2p owner P
device c pages 1 at sw0.1 p2p owner Q
mirror ma a p p2p requester
mirror mc c p p2p requester
init cpu-write p 0x100000 0x5a
init migrate-to-dev ma 0x100000 1
thread tc
  device-read mc 0x100000 1 = 0x5a
thread chg
  owner-change c P
expect clean
explore dpor
