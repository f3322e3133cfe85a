# The refcount-leak oracle at the end of a P2P read while the exporter is
# still there: its BAR page in use holds pci_alloc_p2pmem()'s reference
# (until pci_free_p2pmem() at the exporter's removal) besides any mapping.
# Until session 27 the oracle counted only mappings and reported that
# reference as a leak ("pfn 0x42 has 1 references but 0 mappings").
# Found by a sweep of the model's pieces against each other.
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
init migrate-to-dev m0 0x100000 1
thread importer
  device-read m1 0x100000 1 = 0x10
final check-leaks
expect clean
explore dpor
