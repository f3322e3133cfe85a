# The protocol steps one by one, in one thread so the single execution is
# the whole story: nothing is mirrored until the driver programs it; a
# device write through the mirror reaches the CPU's page; an invalidation
# drops the entry; a range-fault without fault leaves a missing page
# invalid, and programming it fails.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init device-read-mirror m0 0x100000 1 fails ENOENT   # nothing mirrored yet
init read-begin m0 s
init range-fault m0 s 0x100000 1 fault|write
init lock m0
init read-retry m0 s on-fail fail        # nothing ran since read-begin
init program m0 s
init device-write-mirror m0 0x100000 1 0x77
init device-read-mirror m0 0x100000 1 = 0x77
init unlock m0
init cpu-read p 0x100000 = 0x77          # the device wrote the CPU's page
init madvise p 0x100000 1                # the invalidation clears the mirror
init device-read-mirror m0 0x100000 1 fails ENOENT
init read-begin m0 t
init range-fault m0 t 0x101000 1 nofault # never touched: not valid
init lock m0
init program m0 t fails EFAULT
init unlock m0
init check-data p 0x100000 2

expect clean
explore random 1
