# The owner lab's owner-p2p-unplug under peer-group (lab/experiment.c):
# a (the exporter: its memory holds the page) and c (the importer) share
# cluster P below one switch, one peer group: c uses a's device-private
# page directly.  c reads the page twice while a is hot unplugged with the
# ordered revoke (unplug safe: evict, invalidate, wait, tear down).  Clean.
owner-policy peer-group
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
thread unplug-a
  unplug a safe

expect clean
explore dfs 2
