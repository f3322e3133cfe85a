# Long-term pins and migration: a page pinned with pin_user_pages(FOLL_LONGTERM)
# is refused by migrate_vma (its refcount carries GUP_PIN_COUNTING_BIAS:
# migrate_vma_check_page()), the page next to it moves; pinning a page that
# lives on the device migrates it back to RAM first (the fault GUP takes),
# as hmm-tests' hmm_gup_test checks; once unpinned, the page migrates.
process p va 4M swap 8
vma p 0x100000 2 rw
device gpu0 pages 8
mirror m0 gpu0 p
init cpu-write p 0x100000 0x100
init cpu-write p 0x101000 0x101

thread t
  pin p 0x100000 longterm
  migrate-to-dev m0 0x100000 2
  check-migrated m0 1                 # the pinned page stayed
  pin p 0x101000                      # on the device: back to RAM first
  snapshot m0 0x100000 2 = w
  unpin p 0x100000 2
  migrate-to-dev m0 0x100000 2
  check-migrated m0 3
  check-leaks

expect clean
explore dfs 1
