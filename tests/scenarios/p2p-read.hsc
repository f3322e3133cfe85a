# P2P read (the RFC "mm/hmm: HMM API to enable P2P DMA for device private
# pages"): gpu1 faults with HMM_PFN_ALLOW_P2P naming itself as the requester
# and reads gpu0's device-private page through gpu0's BAR, while a CPU writes
# the other page.  Both sit below one switch: the BAR page is DMA-mapped by
# bus address, and the page stays in gpu0's memory.
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 2
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2 at sw0.0 p2p
device gpu1 pages 2 at sw0.1
mirror m0 gpu0 p
mirror m1 gpu1 p p2p requester
init cpu-write p 0x100000 0x10
init cpu-write p 0x101000 0x11
init migrate-to-dev m0 0x100000 1

thread importer
  device-read m1 0x100000 1 = 0x10
  device-write m1 0x100000 1 0x20
thread cpu
  cpu-write p 0x101000 0x21

final check-entry m1 0x100000 p2p-bus
final cpu-read p 0x100000 = 0x20

expect clean
explore dfs 2
