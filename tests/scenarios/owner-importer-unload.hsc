# The owner lab's owner-importer-unload under pointer (lab/experiment.c):
# c (sharing cluster P with a) faults a's page while its mirror is released
# (release(): the notifier removed with a fault in flight; the reference
# driver waits for it) and a CPU writes the page (migrating it back: an
# invalidation in flight too).  The read may fail once the mirror is going
# (-ENODEV) and sees 0x5a or 0x5b: the data oracle checks the page at the
# end.  Clean.
owner-policy pointer
machine ram 32
host-bridge hb0
root-port rp0 hb0
root-port rp1 hb0
pci-switch sw0 rp0 4
pci-switch sw1 rp1 4
process p va 4M
vma p 0x100000 1 rw
device a pages 2 at sw0.0 owner P
device c pages 2 at sw0.1 owner P
cluster Q
mirror ma a p
mirror mc c p
init cpu-write p 0x100000 0x5a
init migrate-to-dev ma 0x100000 1

thread importer-c
  device-read mc 0x100000 1 may-fail
thread unload-c
  release mc
thread cpu
  cpu-write p 0x100000 0x5b

expect clean
explore dfs 1
