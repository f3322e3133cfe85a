# mremap(MREMAP_DONTUNMAP) of a range whose pages live in device memory: the
# device-private entries move to the new address with their pages (the
# by-pfn rmap follows them), the old VMA stays, empty, and reads zeros; the
# CPU faults the moved pages back from the device at the new address while
# the device evicts its memory.  Clean under every interleaving (explore
# dpor: 11,938 executions).
process p va 8M
vma p 0x100000 2 rw
vma p 0x300000 2 rw                      # the destination
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb
init migrate-to-dev m0 0x100000 2

thread cpu
  mremap p 0x100000 2 0x300000 dontunmap
  cpu-read p 0x300000 = 0xa
thread evict
  evict gpu0

final cpu-read p 0x100000 = 0
final cpu-read p 0x301000 = 0xb
final check-data p 0x300000 2

expect clean
explore dpor
