# The owner lab's owner-id-wrap under cluster-id/4 (lab/experiment.c):
# owners are cluster ids from an atomic counter masked to 4 bits.  c's
# cluster x is registered first; 15 clusters come and go; then a's cluster y
# gets x's id.  c then reaches a's device-private memory directly, though the
# two share no interconnect (they sit below different root ports).
owner-policy cluster-id/4
host-bridge hb0
root-port rp0 hb0
root-port rp1 hb0
pci-switch sw0 rp0 4
pci-switch sw1 rp1 4
process p va 4M
vma p 0x100000 2 rw
cluster x                   # c's, registered first
cluster y skip 15           # a's, after 15 clusters came and went
device a pages 2 at sw1.0 owner y
device c pages 2 at sw0.0 owner x
mirror ma a p
mirror mc c p
init cpu-write p 0x100000 0x77
init cpu-write p 0x101000 0x78
init migrate-to-dev ma 0x100000 2

thread device-c
  device-read mc 0x100000 1 = 0x77
thread cpu
  cpu-read p 0x101000 = 0x78

expect violation wrong-owner
explore pct 1000
