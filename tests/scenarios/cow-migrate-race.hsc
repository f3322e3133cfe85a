# The migration of a page fork() shares (cow-migrate.hsc) against the
# child's write fault breaking COW and a device read through the parent's
# mirror: the migration may find the child's pte still mapping the page
# (try_to_migrate() unmaps it; the child's fault then waits on the
# migration entry and brings the device page back for both), or already
# its own copy (the page is mapped once), or the copy in progress (its
# reference fails migrate_vma_check_page(): the page stays, as in the
# kernel); the device read faults the parent's page wherever it is.  The
# parent keeps 0x100, the child has 0x300, nothing leaks.  Measured in
# session 29: clean with at most 2 preemptions (dfs, 740,272 schedules,
# 35 s); dpor with at most 3: 2,008,395 executions, clean; unbounded dpor
# does not end (the device read's -EBUSY restarts).  The test runs bound 1
# (3,945 schedules): bound 2 would take minutes in the sanitizer builds.
machine ram 64
process p va 4M swap 8
vma p 0x100000 1 rw
process c fork-of p
device gpu0 pages 8
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100

thread child
  fork p c
  cpu-write c 0x100000 0x300
thread migrate
  migrate-to-dev m0 0x100000 1
thread device
  device-read m0 0x100000 1 = 0x100

final cpu-read p 0x100000 = 0x100
final cpu-read c 0x100000 = 0x300
final check-leaks

expect clean
explore dfs 1
