# test_hmm's release() (dmirror_fops_release(), since v6.1's "evict device
# pages on file close to avoid use-after-free") evicts every page of the
# device's memory after removing the notifier: the page m0 migrated is in
# RAM again afterwards, as another mirror of the same device sees.  Until
# session 27 the model's release only removed the notifier and freed the
# mirror, so the page stayed on the device (the snapshot read "w|dev").
# Found by a sweep of the model's pieces against each other.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 4
mirror m0 gpu0 p
mirror m0b gpu0 p
init cpu-write p 0x100000 0x10
init migrate-to-dev m0 0x100000 1
thread t
  release m0
  snapshot m0b 0x100000 1 = w
  cpu-read p 0x100000 = 0x10
final check-leaks
expect clean
explore dpor
