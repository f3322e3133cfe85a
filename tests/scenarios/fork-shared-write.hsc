# A shared VMA across fork(): parent and child map the same page (the
# child's pte copied), and a device writes it through the parent's mirror
# while the child reads it.  Both see the device's value at the end.  The
# data oracle keeps one record for such a page, written and read by every
# mm of the fork family that maps it (hs_mm_shadow()); until session 26 it
# kept one per mm, so the child's page looked like it had lost the
# parent's write (a false data-loss).  Found by a sweep of the model's
# pieces against each other.
machine ram 64
process p va 8M swap 8
vma p 0x100000 2 rw shared
process c fork-of p
device gpu0 pages 8
mirror m0 gpu0 p
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb
thread a
  fork p c
  cpu-read c 0x100000
thread b
  device-write m0 0x100000 1 0x55
final cpu-read p 0x100000 = 0x55
final cpu-read c 0x100000 = 0x55
final check-leaks
expect clean
explore dpor
