# A CPU fault on a device-exclusive entry (remove_device_exclusive_entry():
# folio_try_get() and folio_lock without the PTL) against MADV_DONTNEED of
# the page and a fault that allocates the freed pfn again.  The stale
# fault may get and lock the new page (the kernel's comment: "all we do is
# lock and unlock it").  Until session 27 the model's allocator published
# refcount 1 before it set the page's flags, wiping that lock (a false
# kernel-bug, "unlock_page of pfn 0x1, which is not locked"); the kernel's
# prep_new_page() sets the refcount last.  Found by a sweep of the model's
# pieces against each other.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x10
init device-exclusive m0 0x100000 1
thread cpu
  cpu-read p 0x100000
thread zap
  madvise p 0x100000 1
  cpu-write p 0x100000 0x20
final check-leaks
expect clean
explore dpor
