# Three devices read gpu0's device-private page, each the way the PCI
# topology lets it (pci_p2pdma_map_type()): gpu1 below the same switch by bus
# address (BUS_ADDR); nic below another root port of the same host bridge
# through the root complex (THRU_HOST_BRIDGE: the bridge is on the P2P
# allowlist, for ports of this bridge only); fpga below a switch port with
# ACS redirect, whose P2P requests go up to the root too.  A fourth, dsp,
# sits below a host bridge that is not on the allowlist: NOT_SUPPORTED, so
# its read migrates the page to RAM once the others are done with it.
host-bridge hb0 allowlisted same-host-bridge
host-bridge hb1
root-port rp0 hb0
root-port rp1 hb0
root-port rp2 hb1
pci-switch sw0 rp0 3
acs sw0.2
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1 at sw0.0 p2p
device gpu1 pages 1 at sw0.1
device nic pages 1 at rp1
device fpga pages 1 at sw0.2
device dsp pages 1 at rp2
mirror m0 gpu0 p
mirror m1 gpu1 p p2p requester
mirror mn nic p p2p requester
mirror mf fpga p p2p
mirror md dsp p p2p requester
init cpu-write p 0x100000 0x61
init migrate-to-dev m0 0x100000 1

thread gpu1-dma
  device-read m1 0x100000 1 = 0x61
thread nic-dma
  device-read mn 0x100000 1 = 0x61
thread fpga-dma
  device-read mf 0x100000 1 = 0x61

final check-entry m1 0x100000 p2p-bus
final check-entry mn 0x100000 p2p
final check-entry mf 0x100000 p2p
final device-read md 0x100000 1 = 0x61
final check-entry md 0x100000 ram
final check-entry m1 0x100000 none     # the migration to RAM invalidated it

expect clean
explore dfs 2
