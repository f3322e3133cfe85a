# The owner lab's reregister policy against a hot unplug of the same device
# at the same time: the owner change evicts the device's memory, unmaps its
# pagemap and registers a new one while the driver's remove callback revokes
# it.  Both run under the driver's devmem_lock (test_hmm's
# dmirror_device_remove_chunks() takes it), so one waits for the other: the
# change finds the memory removed (-ENODEV), or the unplug removes the new
# pagemap.  Until session 29 the reregister took no lock: the unplug's
# memunmap_pages() ran on the pagemap the change had just unmapped (a false
# refcount report, "pagemap reference count below zero").  A CPU read of the
# migrated page races both; the data must survive either order.
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
init migrate-to-dev ma 0x100000 1
thread t
  unplug a safe
thread u
  owner-change a Q may-fail
thread c
  cpu-read p 0x100000 = 0x5a
final check-leaks
expect clean
explore dpor
