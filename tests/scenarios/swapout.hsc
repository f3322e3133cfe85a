# Reclaim against a device that writes and reads back: the device's write
# fault swaps the page in again (dirty), and the page must keep what the
# device wrote through every later swap-out.  The flag orders the device
# write before the second reclaim.
machine ram 16
process p va 2M swap 4
vma p 0x100000 2 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-write p 0x100000 0x42
init cpu-write p 0x101000 0x44
init swapout p 0x100000 2                # both pages to swap slots

thread device
  device-write m0 0x100000 1 0x43        # its write fault swaps the page in
  signal written
  device-read m0 0x100000 2 = 0x43 0x44  # the second page comes in on a read
thread reclaim
  wait written
  swapout p 0x100000 may-fail            # -EBUSY if the device faulting it holds it

final cpu-read p 0x100000 = 0x43
final cpu-read p 0x101000 = 0x44

expect clean
explore dfs 2
