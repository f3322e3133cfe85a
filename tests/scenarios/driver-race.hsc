# The reference driver against zap, swap-out, migration and a CPU fault:
# lab/scenarios.c's driver-fault-race on two pages.  The driver is the
# whole fault loop (dmirror_read / dmirror_write), so it is correct: clean.
machine ram 64
process p va 4M swap 8
vma p 0x100000 2 rw
device gpu0 pages 8
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread device
  device-read m0 0x100000 2
  device-write m0 0x100000 2 0x200       # writes 0x200, 0x201
thread invalidator
  madvise p 0x101000 1
  swapout p 0x100000 may-fail            # -EBUSY when the page is not present
thread migrator
  migrate-to-dev m0 0x101000 1
  cpu-write p 0x101000 0x300             # faults the page back from the device

expect clean
explore pct 20000
