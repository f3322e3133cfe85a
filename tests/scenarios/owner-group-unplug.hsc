# The owner lab's owner-group-unplug under peer-group (lab/experiment.c,
# the README's flagship): a and c form one drm_pagemap-style peer group and
# c's memory holds the page.  c is unplugged while a new device n arrives
# below the same switch (it reaches a but not c: their link is closed),
# joins a group and reads the page.  c left the registry when its removal
# started, so n joins a's group, whose owner c's pages still carry: n uses
# c's memory directly though it cannot reach it.
owner-policy peer-group
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 4
process p va 4M
vma p 0x100000 1 rw
device a pages 2 at sw0.0 owner P
device c pages 2 at sw0.1 owner P
device n pages 2 at sw0.2 hotplug
link n c none one-way                  # n and c cannot reach each other
mirror ma a p
mirror mc c p
mirror mn n p
init cpu-write p 0x100000 0x5a
init migrate-to-dev mc 0x100000 1

thread unplug-c
  unplug c safe
thread newcomer-n
  plug n                               # memremap_pages(), joins a peer group
  device-read mn 0x100000 1 = 0x5a

expect violation wrong-owner
explore pct 1000
