# A pin of one page of a THP races a migration of two of its pages (the
# collect splits the THP first: split_folio() fails while the pin holds a
# reference, and the range is skipped; a pin after the split finds ptes, or
# the pages on the device, which it faults back to RAM) while the CPU
# writes the other page.  Whatever the order, the data is where the CPU
# reads it.  Found nothing; see thp-pin-migrate.hsc for the sequence.
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa            # a THP
init cpu-write p 0x201000 0xb

thread pinner
  pin p 0x200000
  unpin p 0x200000
thread migrate
  migrate-to-dev m0 0x200000 2

final cpu-read p 0x200000 = 0xa
final cpu-read p 0x201000 = 0xb
final check-data p 0x200000 2

expect clean
explore dpor
