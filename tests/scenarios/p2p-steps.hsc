# The importer side of the P2P RFC ("mm/hmm: HMM API to enable P2P DMA for
# device private pages") written as the driver's protocol steps: imp asks
# hmm_range_fault() for HMM_PFN_ALLOW_P2P naming itself as the requester
# (range-fault FLAGS with |p2p), gets the BAR page that stands for exp's
# device-private page, and programs it (dmirror_do_fault(): the P2P pfn is
# DMA-mapped first, here by bus address: both sit below one switch), under
# the lock, after read-retry, as the reference driver does.  Meanwhile exp
# migrates the page back to RAM (its notifier invalidates imp's mirror).
# Clean: every schedule with at most two preemptions.  Leave out the
# read-retry lines and it is p2p-steps-noretry.hsc.
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 2
process p va 4M
vma p 0x100000 1 rw
device exp pages 1 at sw0.0 p2p
device imp pages 1 at sw0.1
mirror mexp exp p
mirror mimp imp p p2p requester
init cpu-write p 0x100000 0x10
init migrate-to-dev mexp 0x100000 1

thread importer
  read-begin mimp s
  range-fault mimp s 0x100000 1 fault|p2p on-busy restart
  lock mimp
  read-retry mimp s on-fail unlock-restart
  program mimp s
  device-read-mirror mimp 0x100000 1 = 0x10
  unlock mimp
  read-begin mimp w
  range-fault mimp w 0x100000 1 fault|write|p2p on-busy restart
  lock mimp
  read-retry mimp w on-fail unlock-restart
  program mimp w
  device-write-mirror mimp 0x100000 1 0x20
  unlock mimp
thread exporter
  migrate-to-sys mexp 0x100000 1

final cpu-read p 0x100000 = 0x20

expect clean
explore dfs 2
