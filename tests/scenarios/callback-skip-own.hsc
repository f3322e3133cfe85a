# lib/test_hmm.c's dmirror_interval_invalidate() written as actions: it
# returns at once for the device's own migrations (MMU_NOTIFY_MIGRATE with
# its owner), without setting the sequence; the same bug as
# `bug m0 skip-own-migrate` (skip-own-migrate.hsc), found the same way.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 8
mirror m0 gpu0 p
callback m0
  return if own-migrate   # "handled as part of the migration process"
  lock
  set-seq
  clear
  unlock
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread device
  device-read m0 0x100000 2
  device-write m0 0x100000 2 0x200
thread migrator
  migrate-to-dev m0 0x100000 2
  cpu-write p 0x101000 0x300

expect violation coherence
explore dpor
