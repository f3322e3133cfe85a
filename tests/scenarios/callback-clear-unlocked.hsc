# A callback that sets the sequence under the lock but clears the mirror
# after dropping it: the mirror is written without the lock that orders it
# against faults and device accesses (dmirror_do_update() asserts it).
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p
callback m0
  lock
  set-seq
  unlock
  clear                 # the bug: after the unlock
init cpu-write p 0x100000 0x1

thread driver
  read-begin m0 s
  range-fault m0 s 0x100000 1 fault on-busy restart
  lock m0
  read-retry m0 s on-fail unlock-restart
  program m0 s
  device-read-mirror m0 0x100000 1
  unlock m0
thread zap
  madvise p 0x100000 1

expect violation lock-not-held
explore dfs 2
