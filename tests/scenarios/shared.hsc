# A MAP_SHARED|MAP_ANONYMOUS (shmem) VMA beside an anonymous one: the device
# reads and writes both; migration moves only anonymous memory, so the
# shared page stays in RAM and both keep their data.
process p va 4M
vma p 0x100000 1 rw
vma p 0x200000 1 rw shared
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x1
init cpu-write p 0x200000 0x2

thread device
  device-write m0 0x200000 1 0x20
  device-read m0 0x100000 1
thread migrate
  migrate-to-dev m0 0x100000 1
  migrate-to-dev m0 0x200000 1

final cpu-read p 0x200000 = 0x20
final device-read m0 0x100000 1 = 0x1

expect clean
explore dfs 2
