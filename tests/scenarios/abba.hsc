# Two driver threads take two mirrors' locks in opposite orders: ABBA.  Both
# locks are of one class (dmirror->mutex), so the lock-order graph sees no
# cycle between classes; the explorer finds the deadlock itself.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
device gpu1 pages 1
mirror m0 gpu0 p
mirror m1 gpu1 p

thread t0
  lock m0
  lock m1
  unlock m1
  unlock m0
thread t1
  lock m1
  lock m0
  unlock m0
  unlock m1

expect violation deadlock
explore dfs 2
