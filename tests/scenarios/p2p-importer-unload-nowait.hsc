# The built-in p2p-importer-unload-nowait (lab/scenarios.c): a P2P
# importer's driver is unloaded (release(): its notifier removed, its mirror
# freed) while its device faults through the mirror and a CPU write migrates
# the page back to RAM.  This release does not wait for the faults in flight
# (bug release-no-wait): the fault goes on in freed memory.
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 2
machine ram 32
process p va 4M
vma p 0x100000 1 rw
device exp pages 1 at sw0.0 p2p
device imp pages 1 at sw0.1
mirror mexp exp p
mirror mimp imp p p2p requester
bug mimp release-no-wait
init cpu-write p 0x100000 0x10
init migrate-to-dev mexp 0x100000 1

thread device
  device-read mimp 0x100000 1 may-fail    # -ENODEV once the mirror is going
thread unload
  release mimp
thread cpu
  cpu-write p 0x100000 0x11

final evict exp
final release mexp
final check-leaks

expect violation use-after-free
