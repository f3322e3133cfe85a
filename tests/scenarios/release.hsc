# The driver releases its mirror (mmu_interval_notifier_remove, then the
# notifier is freed) while munmap() invalidates the range.  With the v5.18
# fix undone, remove() waits with a lockless read of the sequence and
# returns while invalidate_range_end still walks the notifier.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p
switch notifier_remove_lockless_wait
init cpu-write p 0x100000 0x1

thread unmap
  munmap p 0x100000 1
thread driver
  release m0

expect violation use-after-free
explore dfs 3
