# A NIC reaches gpu0's memory through gpu0's BAR, but its link carries no
# PCIe AtomicOps (link nic gpu0 r,w).  Its read goes peer-to-peer; its
# atomic cannot: the fault that follows fails to DMA-map the BAR page for an
# atomic, asks again without ALLOW_P2P, and the page falls back to host
# memory, where the atomic is done right while gpu0 reads the page.
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 2
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1 at sw0.0 p2p
device nic pages 1 at sw0.1
link nic gpu0 r,w                     # no atomics from nic to gpu0
mirror m0 gpu0 p
mirror mn nic p p2p requester
init cpu-write p 0x100000 0x40
init migrate-to-dev m0 0x100000 1

thread nic-dma
  device-read mn 0x100000 1 = 0x40
  device-atomic mn 0x100000 1 2 = 0x40
thread gpu
  device-read m0 0x100000 1

final check-entry mn 0x100000 ram
final cpu-read p 0x100000 = 0x42

expect clean
explore dfs 2
