# on-error-continue.hsc fixed: when hmm_range_fault() fails the driver
# returns the error (on-error stop) and programs nothing.  Clean under
# every schedule with at most two preemptions.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1

thread driver
  read-begin m0 s
  range-fault m0 s 0x100000 1 fault on-busy restart on-error stop
  lock m0
  read-retry m0 s on-fail unlock-restart
  program m0 s
  unlock m0
thread unmapper
  munmap p 0x100000 1

expect clean
explore dfs 2
