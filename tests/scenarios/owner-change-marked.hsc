# Under mutable-marked the owner is changed with WRITE_ONCE (read with
# READ_ONCE), then every mm the device's mirrors mirror is invalidated: a
# fault that read the old owner starts again.  Clean.
# The owner lab's owner-change-fault (lab/experiment.c): a and c share
# cluster P and a's memory holds the page; c reads it twice while a moves to
# cluster Q.  After the change c must no longer reach a's memory directly.
owner-policy mutable-marked
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 4
process p va 4M
vma p 0x100000 1 rw
device a pages 2 at sw0.0 owner P
device c pages 2 at sw0.1 owner P
cluster Q
mirror ma a p
mirror mc c p
init cpu-write p 0x100000 0x5a
init migrate-to-dev ma 0x100000 1

thread device-c
  repeat 2
    device-read mc 0x100000 1 = 0x5a
  end
thread change
  owner-change a Q

expect clean
explore dfs 2
