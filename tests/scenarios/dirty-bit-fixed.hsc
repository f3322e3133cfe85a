# dirty-bit.hsc with the baseline kernel: the migration that collects the
# page and fails carries the pte dirty bit to the page, and reclaim writes
# it to swap.  Clean.
process p va 4M swap 8
vma p 0x100000 2 rw
device gpu0 pages 1
mirror m0 gpu0 p
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb
init swapout p 0x100000
init cpu-read p 0x100000 = 0xa           # swapped in, writable and clean
init cpu-write p 0x100000 0xc            # dirties the pte only
init migrate-to-dev m0 0x101000 1        # takes the only device page
init migrate-to-dev m0 0x100000 1        # collects, then fails
init swapout p 0x100000

expect clean
explore random 1
