# p2p-steps.hsc with the importer's read-retry left out: imp programs the
# BAR page hmm_range_fault() gave it although exp migrated the page back to
# RAM meanwhile (the invalidation ran between range-fault and lock), and
# its device then reads through a mirror entry that names a BAR page for a
# page the CPU page table no longer maps there.  Found as a coherence
# violation.
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
  program mimp s                                 # no read-retry: the bug
  device-read-mirror mimp 0x100000 1 may-fail
  unlock mimp
thread exporter
  migrate-to-sys mexp 0x100000 1

expect violation coherence
explore dfs 2
