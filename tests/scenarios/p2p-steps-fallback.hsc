# The mlx5 ODP fallback written as steps.  imp sits below another root port
# of a host bridge that is not on the P2P allowlist: pci_p2pdma_map_type()
# says NOT_SUPPORTED.  Its mirror allows P2P without naming a requester
# (the RFC's v1), so exp's get_p2p_page() cannot decline and hmm_range_fault()
# hands out the BAR page; programming it fails to DMA-map it (-EREMOTEIO,
# nothing programmed), and the driver asks again without p2p: the page is
# faulted back to RAM (migrate_to_ram) and programmed from there.  Meanwhile
# exp's own device reads the page.  Clean.
host-bridge hb0
root-port rp0 hb0
root-port rp1 hb0
process p va 4M
vma p 0x100000 1 rw
device exp pages 1 at rp0 p2p
device imp pages 1 at rp1
mirror mexp exp p
mirror mimp imp p p2p
init cpu-write p 0x100000 0x10
init migrate-to-dev mexp 0x100000 1

thread importer
  read-begin mimp s
  range-fault mimp s 0x100000 1 fault|p2p on-busy restart
  lock mimp
  read-retry mimp s on-fail unlock-restart
  program mimp s fails EREMOTEIO                 # pci_p2pdma_state(): NOT_SUPPORTED
  unlock mimp
  read-begin mimp t                              # again without p2p
  range-fault mimp t 0x100000 1 fault on-busy restart
  lock mimp
  read-retry mimp t on-fail unlock-restart
  program mimp t
  device-read-mirror mimp 0x100000 1 = 0x10
  unlock mimp
thread exporter
  device-read mexp 0x100000 1 = 0x10

final check-entry mimp 0x100000 ram

expect clean
explore dfs 2
