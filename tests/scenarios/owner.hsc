# "mm/hmm: check the device private page owner in hmm_range_fault()" (v5.7)
# undone: a second device's fault gets gpu0's device-private page back as
# valid and uses another device's memory.
process p va 4M
vma p 0x100000 1 rw
device gpu0 pages 2
device gpu1 pages 2
mirror m0 gpu0 p
mirror m1 gpu1 p
switch hmm_no_owner_check
init cpu-write p 0x100000 0x7
init migrate-to-dev m0 0x100000 1
init device-read m1 0x100000 1 = 0x7

expect violation wrong-owner
explore random 1
