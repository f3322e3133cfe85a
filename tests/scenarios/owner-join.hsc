# The owner lab (docs/owner-semantics.md): device c joins a's cluster
# (owner-change c P) while c reads a's page.  Nothing is taken away: before
# the change c faults the page back to RAM, after it c may use a's memory
# directly.  The change stores c's new key, invalidates, then is complete;
# a read in between may use the new key.  Until session 27 the
# wrong-owner oracle counted the new ownership only from the end of the
# change and reported that read (a false wrong-owner; the same under
# range-callback and, through a BAR page, p2p-callback).  The oracle now
# allows the old and the new ownership while a change is in progress.
# Found by a sweep of the model's pieces against each other.
owner-policy mutable-marked
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 4
process p va 4M
vma p 0x100000 1 rw
device a pages 1 at sw0.0 owner P
device c pages 1 at sw0.1 owner Q
mirror ma a p
mirror mc c p
init cpu-write p 0x100000 0x5a
init migrate-to-dev ma 0x100000 1
thread tc
  device-read mc 0x100000 1 = 0x5a
thread chg
  owner-change c P
expect clean
explore dpor
