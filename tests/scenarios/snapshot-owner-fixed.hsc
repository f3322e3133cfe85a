# snapshot-owner.hsc on the kernel with "mm/hmm: check the device private
# page owner in hmm_range_fault()" (v5.7): each device sees only its own
# private pages.  Clean under every schedule with at most two preemptions.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2
device gpu1 pages 2
mirror m0 gpu0 p
mirror m1 gpu1 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2
init migrate-to-dev m0 0x100000 1

thread peer
  snapshot m1 0x100000 2 = none w
thread owner
  snapshot m0 0x100000 2 = dev|w w

expect clean
explore dfs 2
