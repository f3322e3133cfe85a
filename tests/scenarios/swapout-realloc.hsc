# The model's swap-out of an address (hs_swap_out(): the pte read without
# the PTL, then get_page_unless_zero() and trylock_page() before the pte is
# checked again under it) against MADV_DONTNEED of the page and a fault
# that allocates the freed pfn again: the stale swap-out locks the new
# page, finds the pte changed and lets go.  Until session 27 the
# allocator's flags store after the refcount's wiped that lock (a false
# kernel-bug); see exclusive-fault-realloc.hsc.
process p va 4M swap 8
vma p 0x100000 1 rw
init cpu-write p 0x100000 0x10
thread reclaim
  swapout p 0x100000 may-fail
thread zap
  madvise p 0x100000 1
  cpu-write p 0x100000 0x20
final check-leaks
expect clean
explore dpor
