# The owner lab's owner-p2p-cpu-fault under pointer (lab/experiment.c):
# a and c share cluster P (one owner key: c uses a's device-private page
# directly); a's memory holds the page.  c reads it twice while a CPU read
# faults it back to RAM (migrate_to_ram, an invalidation of both mirrors).
# Clean.
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
  repeat 2
    device-read mc 0x100000 1 = 0x5a
  end
thread cpu
  cpu-read p 0x100000 = 0x5a

expect clean
explore dfs 2
