# Two CPUs store to one clean writable pte: each page walk sets the dirty
# bit with a locked update (hs_pte_set_dirty_hw(), a cmpxchg), and the one
# that comes second fails and walks again.  Until session 27 dpor took the
# two updates for independent (the cmpxchg's compare of the bit was not in
# its footprint), and --por-check reported "running them the other way
# round cannot run past event 84".  Found by a sweep of the model's pieces
# against each other; the self-check runs over this file in ctest.
process p va 4M swap 8
vma p 0x100000 1 rw
init cpu-write p 0x100000 0x1
init swapout p 0x100000
init cpu-read p 0x100000
thread a
  cpu-write p 0x100000 0x20
thread b
  cpu-write p 0x100000 0x21
expect clean
explore dpor
