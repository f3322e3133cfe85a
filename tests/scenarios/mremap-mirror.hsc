# mremap(MREMAP_MAYMOVE|MREMAP_FIXED) while the device mirrors the range:
# move_page_tables() runs inside one MMU_NOTIFY_UNMAP of the old range, so
# the driver's callback drops the old mirror entries and its read_retry
# sends a fault in flight back to the start, where the old range has no VMA
# (-EFAULT).  The device then reads the moved pages at the new address.
# mremap-mirror-noretry.hsc is the driver that skips read_retry.
process p va 8M
vma p 0x100000 2 rw
vma p 0x300000 2 rw                      # the destination: mremap unmaps it first
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb

thread device
  device-read m0 0x100000 2 may-fail     # -EFAULT once the range has moved
thread cpu
  mremap p 0x100000 2 0x300000

final device-read m0 0x300000 2 = 0xa 0xb
final cpu-read p 0x301000 = 0xb

expect clean
explore dfs 2
