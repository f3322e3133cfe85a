# callback-noseq.hsc with the reference driver's callback written out
# (dmirror_interval_invalidate(): lock, set the sequence, clear, unlock):
# clean under every schedule with at most two preemptions.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p
callback m0
  lock
  set-seq
  clear
  unlock
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

expect clean
explore dfs 2
