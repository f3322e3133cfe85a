# The driver releases its mirror (mmu_interval_notifier_remove, then the
# notifier is freed) while munmap() invalidates the range.  The baseline
# kernel waits in remove() under the subscriptions lock until the
# invalidation is over: clean, while release.hsc undoes that fix.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1

thread unmap
  munmap p 0x100000 1
thread driver
  release m0

expect clean
explore dfs 3
