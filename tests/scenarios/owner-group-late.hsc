# The owner lab's owner-group-late under p2p-callback (lab/experiment.c):
# a (cluster A) and c (cluster B) sit below one switch but their link is
# closed both ways; n arrives in a's cluster and reaches both.  Every device
# keeps its own owner and exports its memory through a BAR; the exporter's
# get_p2p_page() grants a page to the devices of its cluster and to those
# it was granted to: c grants n its memory, which one group or cluster per
# device cannot say.  n reads a's page and c's page through the BARs.  Clean.
owner-policy p2p-callback
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 4
process p va 4M
vma p 0x100000 2 rw
device a pages 2 at sw0.0 p2p owner A
device c pages 2 at sw0.1 p2p owner B
device n pages 2 at sw0.2 p2p owner A
link a c none one-way
grant c n
mirror ma a p p2p requester
mirror mc c p p2p requester
mirror mn n p p2p requester
init cpu-write p 0x100000 0x31
init cpu-write p 0x101000 0x32
init migrate-to-dev ma 0x100000 1
init migrate-to-dev mc 0x101000 1

thread newcomer-n
  device-read mn 0x100000 2 = 0x31 0x32
thread device-c
  device-read mc 0x101000 1 = 0x32

final check-entry mn 0x100000 p2p
final check-entry mn 0x101000 p2p

expect clean
explore dfs 2
