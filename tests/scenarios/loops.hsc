# Bounded loops: a CPU and a device keep writing one page while another
# thread keeps zapping it and yielding; nested repeats.  Every value written
# is what the data oracle expects at the end (check-data also checks it on
# the way), in every interleaving: dpor exhausts it in 6,588,022 executions
# (174 s, too long for the test suite, which samples it with pct).  dpor
# found two flaws of the data oracle here, both fixed (hs_mm_check_data()):
# a CPU load through a TLB entry the zapper has not flushed yet (it cleared
# the pte, MADV_DONTNEED flushes in tlb_finish_mmu()) reads the old page
# while the device writes the new one, which the kernel allows; and the
# check took the value last written before its load faulted, while the
# zapper discarded it meanwhile.
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
