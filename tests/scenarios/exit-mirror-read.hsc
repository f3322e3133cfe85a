# A device read through the reference driver's mirror racing the
# process's last mmput().  exit_mmap() (mm/mmap.c, read in v6.12) first
# calls mmu_notifier_release() (mn_itree_release(): one blockable
# MMU_NOTIFY_RELEASE over [0, ULONG_MAX), nothing unmapped), then under
# mmap_read_lock() unmap_vmas() zaps every VMA inside one MMU_NOTIFY_UNMAP
# invalidation, and frees the pages under mmap_write_lock().  The
# reference driver clears its mirror for both: the read sees the pages
# before the RELEASE or -ENOENT after it.  Clean; it pins the path (the
# model before session 29 had one RELEASE around the zap, also clean here);
# exit-ignore-release.hsc is the file that tells the two apart.
process p va 4M
vma p 0x100000 2 rw
device gpu0 pages 2
mirror m0 gpu0 p
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
