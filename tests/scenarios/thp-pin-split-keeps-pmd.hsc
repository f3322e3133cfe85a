# A pin on one page of a THP, then a migration of two of its pages: the
# collect splits the THP (split_folio(), the range is not a whole PMD),
# which fails on the pin.  The kernel's __folio_split()
# (split_huge_page_to_list_to_order() in v6.12) checks can_split_folio()
# before unmap_folio(): a pinned THP is never unmapped, its PMD stays huge
# and no MMU_NOTIFY_CLEAR is sent, so the device's snapshot still sees a
# PMD mapping afterwards.  Only a reference that comes after that check
# (folio_ref_freeze() failing) leaves the PMD split.  Until session 28 the
# model's hs_split_folio() made one check of the counts after the
# invalidation and split the PMD whatever it found: the failed split left
# ptes (the snapshot saw order 0).  Once unpinned, the split succeeds.
machine ram 1024
process p va 8M
vma p 0x200000 512 rw huge
device gpu0 pages 4
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa            # a THP
init cpu-write p 0x201000 0xb
init snapshot m0 0x200000 2 = w|pmd

thread t
  pin p 0x200000
  migrate-to-dev m0 0x200000 2
  check-migrated m0 0                    # split_folio() failed: nothing moved
  snapshot m0 0x200000 2 = w|pmd         # and the PMD is still huge
  unpin p 0x200000
  migrate-to-dev m0 0x200000 2
  check-migrated m0 2

final cpu-read p 0x200000 = 0xa
final cpu-read p 0x201000 = 0xb

expect clean
explore dpor
