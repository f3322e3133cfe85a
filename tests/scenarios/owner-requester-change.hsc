# The owner lab: device a reads c's page while a itself leaves c's cluster
# (owner-change a Q).  a's mirror must ask hmm_range_fault() with a's key
# as it is when the round begins (read after mmu_interval_read_begin()),
# so that the change's invalidation makes a round that used the old key
# retry.  Until session 27 the lab's driver read its key once, before the
# first round, and a round that began after the change asked with the old
# one: a, now of cluster Q, mapped c's memory (a false wrong-owner; the
# lesson for a mutable owner: the requester re-reads its own key inside
# the retry loop).  Found by a sweep of the model's pieces against each
# other.
owner-policy mutable-marked
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 4
process p va 4M
vma p 0x100000 1 rw
device a pages 1 at sw0.0 owner P
device c pages 1 at sw0.1 owner P
cluster Q
mirror ma a p
mirror mc c p
init cpu-write p 0x100000 0x5a
init migrate-to-dev mc 0x100000 1
thread ta
  device-read ma 0x100000 1 = 0x5a
thread chg
  owner-change a Q
expect clean
explore dpor
