# fork() of a process with a THP the device mirrors: fork splits the huge
# PMD first (copy_huge_pmd() is not modelled), then copies the ptes (COW);
# the device reads the parent's pages meanwhile.  The child sees the
# parent's data, the parent's writes after the fork stay its own.  Clean
# under every interleaving (explore dpor: 59 executions, exhausted; dfs 1:
# 7,302 executions).
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
process c fork-of p
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init cpu-write p 0x201000 0xb
init snapshot m0 0x200000 2 = w|pmd

thread forker
  fork p c
thread device
  device-read m0 0x200000 2

final cpu-read c 0x200000 = 0xa
final cpu-read c 0x201000 = 0xb
final cpu-write p 0x201000 0xc
final cpu-read c 0x201000 = 0xb
final snapshot m0 0x200000 1 = r

expect clean
explore dpor
