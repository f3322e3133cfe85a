# p2p-unplug-surprise.hsc without the lost-access report: what the driver's
# cleanup after a surprise removal guarantees (the built-in scenario of the
# same name, lab/scenarios.c).  exp vanishes first, then its driver runs
# the revoke; accesses that reach its memory or BAR afterwards fail
# (may-fail) and the data its eviction could not copy is gone.  That loss
# is by design, so no-check-data turns off the data oracle at the end; the
# use-after-free, refcount and leak oracles stay on: the cleanup frees
# nothing still referenced and leaks nothing, and once the threads are done
# nothing of exp is in use and its BAR is released.  Clean.
# The unplug evicts once (lib/test_hmm.c, nouveau): a page a fault held
# locked during that pass and whose copy then failed (SIGBUS) stays mapped,
# and memunmap_pages() waits until the process lets it go.  Once the
# importer and the CPU are done, the process unmaps the two pages they used
# (what the SIGBUS's exit_mmap() would do); page 2 stays for the data oracle.
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
  device-read mimp 0x100000 1 may-fail
  device-write mimp 0x100000 1 0x20 may-fail
  signal imported
thread cpu
  cpu-write p 0x101000 0x31 may-fail
  cpu-read p 0x101000 may-fail
  wait imported
  munmap p 0x100000 2          # pages 0 and 1 go (exit_mmap() would)
thread unplugger
  unplug exp surprise

final check-unplugged exp      # nothing of exp in use, its BAR released
final release mimp
final release mexp
final check-leaks

no-check-data                # a surprise removal loses data by design
expect clean
explore dfs 1
