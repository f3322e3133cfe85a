# A huge VMA: a read fault maps the huge zero folio (PMD), a write fault a
# THP; hmm_vma_handle_pmd() gives both with order 9.  is_zero_pfn() is only
# the 4K zero page, so test_hmm's dmirror_mkentry() gives the huge zero
# folio READ|PMD, without ZERO (until session 28 the model said r|zero|pmd).
# An ordinary VMA's read fault maps the 4K zero page: r|zero.
machine ram 2048
process p va 8M
vma p 0x200000 512 rw huge
vma p 0x400000 512 rw huge
vma p 0x600000 1 rw
device gpu0 pages 2
mirror m0 gpu0 p
init cpu-read p 0x200000
init cpu-write p 0x400000 0x4
init cpu-read p 0x600000
init snapshot m0 0x200000 2 = r|pmd
init snapshot m0 0x400000 2 = w|pmd
init snapshot m0 0x600000 1 = r|zero
no-check-data
expect clean
explore dpor
