# A snapshot under its own notifier (test_hmm's dmirror_range_snapshot():
# inserted over the range for the call, removed at its end, which waits
# for an invalidation in progress) against a zap inside its range and one
# outside it: the insert may come while an invalidation is active (the
# notifier waits on the deferred list), the remove may wait for one.
# Whatever the order, the snapshot sees each page before or after its zap.
process p va 4M
vma p 0x100000 3 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2
init cpu-write p 0x102000 0x3
thread snap
  snapshot m0 0x100000 2
thread zap
  madvise p 0x101000 1
  madvise p 0x102000 1
final snapshot m0 0x100000 3 = w none none
expect clean
explore dpor
