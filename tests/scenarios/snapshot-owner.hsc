# What hmm-tests checks with HMM_DMIRROR_SNAPSHOT, as a step: the states
# hmm_range_fault() reports without faulting.  gpu0 has migrated the first
# page to its memory; gpu1's snapshot must not see gpu0's private page
# (it is none: hmm_range_fault() treats another owner's page as not
# present), while gpu0's sees it as its own.  With the switch, the kernel
# before "mm/hmm: check the device private page owner in
# hmm_range_fault()" (v5.7) hands gpu1 gpu0's page: found by the snapshot's
# check.  The fix: snapshot-owner-fixed.hsc.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2
device gpu1 pages 2
mirror m0 gpu0 p
mirror m1 gpu1 p
switch hmm_no_owner_check
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2
init migrate-to-dev m0 0x100000 1

thread peer
  snapshot m1 0x100000 2 = none w
thread owner
  snapshot m0 0x100000 2 = dev|w w

expect violation assertion
explore dfs 2
