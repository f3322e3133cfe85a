# A driver that ignores MMU_NOTIFY_RELEASE, as amdkfd's
# svm_range_cpu_invalidate_pagetables() does (it returns true at once for
# it), and drops its mappings for every other event, against a device read
# racing the process's last mmput().  exit_mmap() (mm/mmap.c, read in
# v6.12) sends the RELEASE through mmu_notifier_release() before anything
# is unmapped, then zaps every VMA inside a MMU_NOTIFY_UNMAP invalidation
# (unmap_vmas()): the driver clears its mirror in the UNMAP, before the
# pages are freed.  Clean.  The model before session 29 sent one RELEASE
# around the zap and nothing else: this driver kept its mirror entries
# while the pages went (coherence).  Found by a review of hs_mmput().
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2
mirror m0 gpu0 p
callback m0
  return if release
  lock
  set-seq
  clear
  unlock
init cpu-write p 0x100000 0x1
init cpu-write p 0x101000 0x2
init device-read m0 0x100000 2 = 0x1 0x2
thread device
  device-read-mirror m0 0x100000 2 may-fail
thread exit
  mmput p
final device-read-mirror m0 0x100000 1 fails ENOENT
expect clean
explore dpor
