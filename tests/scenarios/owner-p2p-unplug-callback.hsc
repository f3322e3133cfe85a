# The owner lab's owner-p2p-unplug under p2p-callback (lab/experiment.c):
# a (the exporter: its memory holds the page) and c (the importer) share
# cluster P below one switch; c reads the page twice while a is hot
# unplugged with the ordered revoke (unplug safe: no new grants, every
# importer mapping invalidated while the page migrates out, then the BAR).
# Every device keeps its own owner and exports its memory through a BAR;
# c's mirror allows P2P naming its device, so it reaches a's page through a
# BAR page that a's get_p2p_page() grants to its cluster.  Clean.
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
thread unplug-a
  unplug a safe

expect clean
explore dfs 2
