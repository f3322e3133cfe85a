# Migration to the device and back while a CPU reads the pages: each CPU
# fault on a device-private entry migrates the page back to RAM, with its
# data.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x100000 0x11
init cpu-write p 0x101000 0x12

thread migrate
  migrate-to-dev m0 0x100000 2
  migrate-to-sys m0 0x100000 2
thread cpu
  cpu-read p 0x100000 = 0x11
  cpu-read p 0x101000 = 0x12

final device-read m0 0x100000 2 = 0x11 0x12

expect clean
explore dfs 2
