# migrate-map-race.hsc with munmap instead of MADV_DONTNEED: munmap takes
# mmap_lock for writing, so its invalidation comes before the migration or
# after the map, and clears what was mapped.  Clean under every schedule with
# at most two preemptions.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1

thread migrate
  migrate-to-dev m0 0x100000 1 map may-fail  # -EINVAL once unmapped
  device-read-mirror m0 0x100000 1 may-fail # the device uses what was mapped
thread zap
  munmap p 0x100000 1

expect clean
explore dfs 2
