# mremap() of a whole THP to a PMD-aligned address (move_huge_pmd(): the PMD
# word moves as it is) while the device reads it through its mirror with the
# whole fault protocol: the old range's MMU_NOTIFY_UNMAP drops the mirror's
# entries, so the device never reaches the folio at the old address once it
# has moved; at the new address it reads the data, still a THP.
machine ram 1024
process p va 16M
vma p 0x200000 512 rw huge
vma p 0x600000 512 rw huge               # the destination: mremap unmaps it first
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa            # a THP
init cpu-write p 0x201000 0xb

thread device
  device-read m0 0x200000 2 may-fail     # -EFAULT once the range has moved
thread cpu
  mremap p 0x200000 512 0x600000

final snapshot m0 0x600000 2 = w|pmd
final device-read m0 0x600000 2 = 0xa 0xb

expect clean
explore dfs 1
