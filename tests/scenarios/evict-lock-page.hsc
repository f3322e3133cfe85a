# The xe bug ("drm/xe/userptr: fix notifier vs folio deadlock", v6.15): the
# driver locks the device page while holding the lock its invalidate
# callback takes; eviction holds the page lock and invalidates.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
bug m0 lock-page-under-mutex
init cpu-write p 0x100000 0x3
init migrate-to-dev m0 0x100000 1
init device-read m0 0x100000 1 = 0x3

thread device
  device-read m0 0x100000 1
thread evict
  evict gpu0

expect violation deadlock
