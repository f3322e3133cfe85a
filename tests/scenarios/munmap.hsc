# munmap() while the device faults the range in: the device read either
# completes before the VMA goes or fails with -EFAULT; afterwards the CPU and
# the device both get -EFAULT, and no mirror entry survives the unmap.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2

thread device
  device-read m0 0x100000 2 may-fail     # -EFAULT once the VMA is gone
  device-read-mirror m0 0x100000 1 may-fail
thread unmap
  munmap p 0x100000 2

final cpu-read p 0x100000 fails EFAULT
final device-read m0 0x100000 1 fails EFAULT
final device-read-mirror m0 0x100000 2 fails ENOENT

expect clean
explore dfs 2
