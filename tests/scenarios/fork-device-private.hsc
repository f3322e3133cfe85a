# fork() against the device's faults on device-private pages: the parent's
# pages live on the device; while the device reads and writes them through
# its mirror, the process forks (model/fork.c: MMU_NOTIFY_PROTECTION_PAGE on
# the parent, the writable device-private entries made readable in both) and
# the child reads its copy back to RAM (migrate_to_ram() of a page both mms
# map) and writes it (COW).  A device write after the fork finds the entry
# read-only: hmm_range_fault() reports the device's own page without write
# permission and test_hmm's dmirror_do_fault() fails it (-EFAULT), as in
# the kernel, hence may-fail.  The data oracle checks both processes: the
# child sees what the parent had at the fork.  Clean.
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
process c fork-of p
device gpu0 pages 8
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101
init migrate-to-dev m0 0x100000 2

thread forker
  fork p c
thread device
  device-read m0 0x100000 2
  device-write m0 0x100000 1 0x200 may-fail

final cpu-read c 0x100000
final cpu-write c 0x101000 0x301

expect clean
explore dfs 2
