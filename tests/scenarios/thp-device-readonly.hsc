# A device write through the mirror to its own device THP whose PMD
# device-private entry is read-only (v6.19): mprotect(PROT_READ) makes the
# entry readable, mprotect(PROT_READ|PROT_WRITE) leaves it so (a non-present
# entry is never made writable again).  hmm_vma_handle_absent_pmd() hands a
# device-private entry of the caller's owner to the caller as it is, VALID
# without WRITE, and faults nothing, whatever the caller asked (as
# hmm_vma_handle_pte() does for a pte); test_hmm's dmirror_do_fault() then
# fails with -EFAULT (its WARN_ON of a write it asked for and did not get).
# The data stays on the device until the CPU reads it back.  The model used
# to fault such an entry back to RAM (do_huge_pmd_device_private()) and let
# the write through; found in session 24's fidelity review.
machine ram 2048
process p va 16M
vma p 0x200000 512 rw huge
device gpu0 pages 1024
mirror m0 gpu0 p
init cpu-write p 0x200000 0xa
init migrate-to-dev m0 0x200000 512
init snapshot m0 0x200000 2 = dev|w|pmd
init mprotect p 0x200000 512 r
init mprotect p 0x200000 512 rw
init snapshot m0 0x200000 2 = dev|r|pmd

thread dev
  device-write m0 0x200000 1 0x77 fails EFAULT
thread cpu
  snapshot m0 0x200000 1 = dev|r|pmd

final cpu-read p 0x200000 = 0xa
no-check-data
expect clean
explore dpor
