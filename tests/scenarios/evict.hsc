# Device removal (dmirror_device_evict_chunk + memunmap_pages) while the
# device reads the page it holds: eviction migrates it back to RAM with its
# data, and the device's next fault finds it there.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x3
init migrate-to-dev m0 0x100000 1
init device-read m0 0x100000 1 = 0x3     # mapped in the mirror

thread device
  device-read m0 0x100000 1 = 0x3
thread evict
  evict gpu0

final cpu-read p 0x100000 = 0x3

expect clean
explore dfs 2
