# fork() of a page its parent has DMA-pinned (copy_present_page(): the
# child gets its own copy at once, and the parent's pte stays writable)
# while another parent thread writes the page: the child keeps what the
# page held when fork copied it, the parent what it wrote.  Until session
# 26 the data oracle read the parent's record of the page after the
# child's pte was set, so a write between the copy and that read made the
# child's copy look like a lost write (a false data-loss).  Found by a
# sweep of the model's pieces against each other.
machine ram 64
process p va 8M swap 8
vma p 0x100000 2 rw
process c fork-of p
device gpu0 pages 8
device gpu1 pages 8
mirror m0 gpu0 p
mirror m1 gpu1 p
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb
thread a
  pin p 0x100000
  cpu-write p 0x100000 0xc
  unpin p 0x100000
thread b
  fork p c
  cpu-read c 0x101000 = 0xb
final cpu-read p 0x100000 = 0xc
final check-leaks
expect clean
explore dpor
