# Eviction of a device (dmirror_device_evict_chunk(): migrate_device_range()
# by pfn) while a CPU fault migrates the device THP back (v6.19): the by-pfn
# path meets the PMD device-private entry and splits it first (the model's
# try_to_migrate(); the kernel's sets a PMD migration entry for the whole
# folio), the fault's migration collects the whole PMD or, after that split,
# one page.  Either way the data comes back.  Clean: dfs 1 exhaustive (43,614
# executions); dpor did not finish in 300 s (--jobs 2: 144,879 executions,
# no violation; docs/scenarios.md says why).
machine ram 2048
process p va 16M
vma p 0x200000 512 rw huge
device gpu0 pages 1024
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init cpu-write p 0x2ff000 0xb
init migrate-to-dev m0 0x200000 512
init snapshot m0 0x200000 2 = dev|w|pmd

thread cpu
  cpu-read p 0x200000 = 0xa
thread evict
  evict gpu0

final cpu-read p 0x2ff000 = 0xb
no-check-data
step-bound 200000
expect clean
explore pct 100
