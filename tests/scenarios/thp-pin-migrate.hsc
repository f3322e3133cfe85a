# A pin on one page of a THP, and a migration of two of its pages: the
# migration's collect splits the THP first (split_folio(), the range is not
# a whole PMD), and split_folio() fails while anyone holds a reference
# besides the mappings and the caller: the whole PMD's range is skipped,
# the unpinned page included (can_split_folio(); the kernel's
# migrate_vma_collect_skip()).  Once unpinned, the split succeeds and both
# pages move.  pin_user_pages() follows the huge PMD to the page
# (follow_huge_pmd()).  Until session 26 the model's GUP looked only at
# ptes (pinning a THP faulted for ever: a livelock) and its split never
# failed (one page would have moved).
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa            # a THP
init cpu-write p 0x201000 0xb

thread t
  pin p 0x200000
  migrate-to-dev m0 0x200000 2
  check-migrated m0 0                    # split_folio() failed: nothing moved
  unpin p 0x200000
  migrate-to-dev m0 0x200000 2
  check-migrated m0 2

final cpu-read p 0x200000 = 0xa
final cpu-read p 0x201000 = 0xb

expect clean
explore dpor
