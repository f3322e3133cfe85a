# The owner lab's reregister policy: an owner change of a device whose
# memory an unplug already took down has no pagemap to replace, and fails
# with -ENODEV.  Until session 27 the reregister ran memunmap_pages() on the
# dead pagemap a second time (a false refcount report, "pagemap reference
# count below zero").  Found by a sweep of the model's pieces against each
# other.  Simplified: a removal running at the same time as the change is
# not serialized against it (a driver's devmem lock would be).
owner-policy reregister
host-bridge hb0
root-port rp0 hb0
pci-switch sw0 rp0 4
process p va 4M
vma p 0x100000 1 rw
device a pages 1 at sw0.0 owner P
cluster Q
mirror ma a p
init cpu-write p 0x100000 0x5a
thread t
  unplug a safe
  owner-change a Q may-fail
final check-leaks
expect clean
explore dpor
