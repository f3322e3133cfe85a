# A driver that calls mmu_interval_read_retry() and ignores its answer: an
# invalidation (MADV_DONTNEED) ran between hmm_range_fault() and the
# programming of the mirror, and the device then reaches the freed page.
# One thread: the single execution shows it.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init read-begin m0 s
init range-fault m0 s 0x100000 1 fault
init madvise p 0x100000 1
init lock m0
init read-retry m0 s on-fail ignore      # the bug
init program m0 s
init device-read-mirror m0 0x100000 1
init unlock m0

expect violation coherence
explore random 1
