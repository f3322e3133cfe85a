# A shared VMA across fork(), then the parent zaps its mapping of the page
# (MADV_DONTNEED): the child still maps the page and reads what it wrote;
# the parent faults a new page of its own (the model's shared VMAs have no
# page cache), which reads 0 and which its writes change alone.  The data
# oracle's family record of the page stays the child's (kept apart from the
# parent's own record; fork-shared-write.hsc is the race).
machine ram 64
process p va 8M
vma p 0x100000 1 rw shared
process c fork-of p
init cpu-write p 0x100000 0xa
thread a
  fork p c
  cpu-write c 0x100000 0x55
  madvise p 0x100000 1
  cpu-read c 0x100000 = 0x55
  cpu-read p 0x100000 = 0
  cpu-write p 0x100000 0x66
  cpu-read c 0x100000 = 0x55
expect clean
explore dpor
