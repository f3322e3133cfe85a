# fork() of a device-coherent page gpu1 holds device-exclusive:
# copy_nonpresent_pte() restores the entry first (try_restore_exclusive_pte()
# under folio_trylock(), else fork fails -EBUSY), then the page is copied
# as a present pte (the child's mapping joins the page's rmap record), while
# gpu1 reads through its atomic mapping; then gpu0's memory is removed and
# the eviction finds both mappings.
process p va 4M
vma p 0x100000 1 rw
process c fork-of p
device gpu0 pages 1 coherent
device gpu1 pages 2
mirror m0 gpu0 p
mirror m1 gpu1 p
init cpu-write p 0x100000 0x5
init migrate-to-dev m0 0x100000 1
init device-exclusive m1 0x100000 1 = 0x5
thread f
  fork p c may-fail
thread dev
  device-read m1 0x100000 1 = 0x5
final evict gpu0
final cpu-read p 0x100000 = 0x5
final check-leaks
expect clean
explore dpor
