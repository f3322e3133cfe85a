# A long-term pin of device-coherent memory (pin_user_pages(FOLL_LONGTERM),
# as hmm-tests' hmm_gup_test does in its coherent variant): device-coherent
# pages may not stay pinned long term, so check_and_migrate_movable_pages()
# unpins, moves the page to RAM (migrate_device_coherent_folio(): the by-pfn
# unmap under MMU_NOTIFY_CLEAR, a copy, the pte remapped) and pins again.
# That races the device reading both pages through its mirror and a second
# coherent device's view of them (coh-remote): the mirrors drop the moved
# page, nobody reaches the old device page afterwards, and the CPU's store
# through the pin lands in RAM.  Page 1 stays on the device; in `init`, a
# long-term pin of it while a plain pin holds it fails with -EBUSY (the
# migration's refcount test refuses a pinned page) and gives back its pin.
# Clean.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2 coherent
device gpu1 pages 2 coherent
mirror m0 gpu0 p
mirror m1 gpu1 p
init cpu-write p 0x100000 0xa
init cpu-write p 0x101000 0xb
init migrate-to-dev m0 0x100000 2
init snapshot m0 0x100000 2 = w|coh
init snapshot m1 0x100000 2 = w|coh-remote
init pin p 0x101000 1                    # a plain pin: the page stays on the device
init pin p 0x101000 1 longterm fails EBUSY  # the move fails: pinned already
init unpin p 0x101000 1

thread pinner
  pin p 0x100000 1 longterm              # to RAM first, then pinned
  cpu-write p 0x100000 0xc
  unpin p 0x100000 1
thread device
  device-read m0 0x100000 2
  device-read m1 0x101000 1 = 0xb

final snapshot m0 0x100000 2 = w w|coh
final snapshot m1 0x100000 2 = w w|coh-remote
final check-migrated m0 2
final device-read m0 0x100000 2 = 0xc 0xb
final check-data p 0x100000 2
final check-leaks

expect clean
explore dfs 2
