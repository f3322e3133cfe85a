# "mm/migrate_device.c: copy pte dirty bit to page" (v6.0) undone: a store
# that dirtied only the pte of a swap-cache page is lost when a migration
# collects the page, fails (no device memory left) and restores a clean
# pte; reclaim then drops the page without writing it.  One thread, so the
# single execution decides; dirty-bit-fixed.hsc is the same without the
# switch.
process p va 4M swap 8
vma p 0x100000 2 rw
device gpu0 pages 1
mirror m0 gpu0 p
switch migrate_no_dirty_copy
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb
init swapout p 0x100000
init cpu-read p 0x100000 = 0xa           # swapped in, writable and clean
init cpu-write p 0x100000 0xc            # dirties the pte only
init migrate-to-dev m0 0x101000 1        # takes the only device page
init migrate-to-dev m0 0x100000 1        # collects, then fails
init swapout p 0x100000

expect violation data-loss
explore random 1
