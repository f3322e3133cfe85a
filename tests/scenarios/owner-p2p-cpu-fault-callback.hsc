# The owner lab's owner-p2p-cpu-fault under p2p-callback
# (lab/experiment.c): a and c share cluster P, every device exports its
# memory through a BAR and every mirror allows P2P naming its device; a's
# memory holds the page.  c reads it twice through the BAR page a's
# get_p2p_page() grants it, while a CPU read faults the page back to RAM.
# Clean.
owner-policy p2p-callback
machine ram 32
host-bridge hb0
root-port rp0 hb0
root-port rp1 hb0
pci-switch sw0 rp0 4
pci-switch sw1 rp1 4
process p va 4M
vma p 0x100000 1 rw
device a pages 2 at sw0.0 p2p owner P
device c pages 2 at sw0.1 p2p owner P
cluster Q
mirror ma a p p2p requester
mirror mc c p p2p requester
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
