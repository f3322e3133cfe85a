# The xe bug ("drm/xe/userptr: fix notifier vs folio deadlock", v6.15): the
# driver locks the system page a device write reaches (set_page_dirty_lock())
# while holding the lock its invalidate callback takes; reclaim holds the
# page lock and invalidates.  (Until session 29 this file, evict-lock-page.hsc,
# locked a device page against the device's removal, which only trylocks:
# docs/catalog.md, xe-notifier-vs-folio.)
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
bug m0 lock-page-under-mutex
init cpu-write p 0x100000 0x3
init device-read m0 0x100000 1 = 0x3

thread device
  device-write m0 0x100000 1 0x4
thread reclaim
  swapout p 0x100000 may-fail

expect violation deadlock
