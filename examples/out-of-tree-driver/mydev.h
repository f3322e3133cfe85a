/* SPDX-License-Identifier: MIT */
/*
 * mydev: a small device that mirrors part of a process's address space in
 * its own page table, the way a GPU or an RDMA NIC with on-demand paging
 * does: a device access that misses faults the pages in with
 * hmm_range_fault(), and an mmu interval notifier drops entries when the CPU
 * page table changes.  A driver model written out of tree, against the
 * installed hmmsim (docs/c-scenarios.md walks through it).
 */
#ifndef MYDEV_H
#define MYDEV_H

#include <hmmsim/mm.h>
#include <stdbool.h>

/* The driver's mistakes, to plant one in a scenario. */
enum mydev_bug {
	MYDEV_BUG_NONE,
	/* the invalidate callback forgets mmu_interval_set_seq(): a fault
	 * that raced with the invalidation never sees it and maps a page the
	 * CPU has already unmapped */
	MYDEV_BUG_NO_SET_SEQ,
};

struct mydev;

/* Open the device on [@start, @start + @npages pages) of @mm: its notifier
 * is inserted, its page table is empty.  In sim_alloc() memory. */
struct mydev *mydev_open(struct hs_mm *mm, unsigned long start, unsigned long npages,
			 enum mydev_bug bug);
/* A device read of the word at @addr: through the device page table,
 * faulting the page in when it is missing.  Return: 0 or a negative errno. */
int mydev_read(struct mydev *dev, unsigned long addr, unsigned long *val);
/* Close the device: remove the notifier. */
void mydev_close(struct mydev *dev);

#endif /* MYDEV_H */
