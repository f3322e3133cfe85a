# The revoke frees the BAR before it invalidates the importers: imp's
# device DMA reaches a freed BAR page through its mirror.
# The setup of the built-in p2p-unplug-* scenarios (lab/scenarios.c): two
# GPUs below one switch; exp holds the three pages in its device memory and
# exports it through a BAR; imp mirrors the range with ALLOW_P2P and a named
# requester, so it reaches exp's pages through BAR pages.  imp reads and
# writes page 0, a CPU writes and reads page 1, exp is unplugged.
machine ram 32
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 2
process p va 4M
vma p 0x100000 3 rw
device exp pages 3 at sw0.0 p2p
device imp pages 2 at sw0.1
mirror mexp exp p
mirror mimp imp p p2p requester
init cpu-write p 0x100000 0x10
init cpu-write p 0x101000 0x11
init cpu-write p 0x102000 0x12
init migrate-to-dev mexp 0x100000 3

thread importer
  device-read mimp 0x100000 1 = 0x10
  device-write mimp 0x100000 1 0x20
thread cpu
  cpu-write p 0x101000 0x31
  cpu-read p 0x101000 = 0x31
thread unplugger
  unplug exp free-first

final release mimp
final release mexp
final check-leaks
final check-lost exp

expect violation use-after-free
