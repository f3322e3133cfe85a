# make_device_exclusive() on a page of a THP races a CPU write to another
# page of it.  The exclusive grant's GUP passes FOLL_SPLIT_PMD: the huge
# PMD is split first (split_huge_pmd()) and the page comes from its pte,
# which becomes a device-exclusive entry; the CPU write goes through the
# huge PMD or, after the split, its own pte.  The device's atomic grant
# holds until the CPU touches that page.  Until session 26 the model's GUP
# looked only at ptes, so the grant faulted for ever on the huge PMD (a
# livelock the kernel does not have).
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa            # a THP
init cpu-write p 0x201000 0xb

thread dev
  device-exclusive m0 0x200000 1
  check-exclusive m0 0x200000 1 fails EPERM   # still the device's
thread cpu
  cpu-write p 0x201000 0xc

final cpu-read p 0x200000 = 0xa
final cpu-read p 0x201000 = 0xc
final check-exclusive m0 0x200000 1      # the CPU's read took it back

expect clean
explore dpor
