/* SPDX-License-Identifier: MIT */
/*
 * The kernel-name facade: include this (after every other header) in driver
 * code and write it with the kernel's names; they map onto the model.  A real
 * driver's fault and invalidate paths port with few edits.  The reference
 * driver model/drivers/dmirror.c is written against it.
 *
 * Type names are macros so that `struct hmm_range` reads as in the kernel;
 * this renames any identifier spelt the same way, which is harmless inside
 * one translation unit.
 */
#ifndef HMMSIM_KERNEL_H
#define HMMSIM_KERNEL_H

#include <errno.h>
#include <hmmsim/hmm.h>
#include <hmmsim/migrate.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <hmmsim/page.h>
#include <hmmsim/sim.h>

/* types (struct page and struct mutex stay struct hs_page and sim_mutex_t:
 * "page" and "mutex" are also the names of fields all over the model) */
#define dev_pagemap		  hs_dev_pagemap
#define dev_pagemap_ops		  hs_dev_pagemap_ops
#define vm_fault		  hs_vm_fault
#define vm_area_struct		  hs_vm_area_struct
#define mm_struct		  hs_mm
#define hmm_range		  hs_hmm_range
#define mmu_interval_notifier	  hs_mmu_interval_notifier
#define mmu_interval_notifier_ops hs_mmu_interval_notifier_ops
#define mmu_notifier_range	  hs_mmu_notifier_range
#define migrate_vma		  hs_migrate_vma
typedef unsigned int vm_fault_t;

/* constants */
#define PAGE_SHIFT			   HS_PAGE_SHIFT
#define PAGE_SIZE			   HS_PAGE_SIZE
#define PAGE_MASK			   (~(HS_PAGE_SIZE - 1))
#define HMM_PFN_VALID			   HS_HMM_PFN_VALID
#define HMM_PFN_WRITE			   HS_HMM_PFN_WRITE
#define HMM_PFN_ERROR			   HS_HMM_PFN_ERROR
#define HMM_PFN_REQ_FAULT		   HS_HMM_PFN_REQ_FAULT
#define HMM_PFN_REQ_WRITE		   HS_HMM_PFN_REQ_WRITE
#define HMM_PFN_ALLOW_P2P		   HS_HMM_PFN_ALLOW_P2P
#define HMM_PFN_P2PDMA			   HS_HMM_PFN_P2PDMA
#define MIGRATE_PFN_VALID		   HS_MIGRATE_PFN_VALID
#define MIGRATE_PFN_MIGRATE		   HS_MIGRATE_PFN_MIGRATE
#define MIGRATE_PFN_WRITE		   HS_MIGRATE_PFN_WRITE
#define MIGRATE_VMA_SELECT_SYSTEM	   HS_MIGRATE_VMA_SELECT_SYSTEM
#define MIGRATE_VMA_SELECT_DEVICE_PRIVATE  HS_MIGRATE_VMA_SELECT_DEVICE_PRIVATE
#define MIGRATE_VMA_SELECT_DEVICE_COHERENT HS_MIGRATE_VMA_SELECT_DEVICE_COHERENT
#define MIGRATE_VMA_SELECT_COMPOUND	   HS_MIGRATE_VMA_SELECT_COMPOUND
#define MIGRATE_PFN_COMPOUND		   HS_MIGRATE_PFN_COMPOUND
#define MMU_NOTIFY_UNMAP		   HS_MMU_NOTIFY_UNMAP
#define MMU_NOTIFY_CLEAR		   HS_MMU_NOTIFY_CLEAR
#define MMU_NOTIFY_MIGRATE		   HS_MMU_NOTIFY_MIGRATE
#define MMU_NOTIFY_RELEASE		   HS_MMU_NOTIFY_RELEASE
#define MEMORY_DEVICE_PRIVATE		   HS_MEMORY_DEVICE_PRIVATE
#define MEMORY_DEVICE_COHERENT		   HS_MEMORY_DEVICE_COHERENT
#define VM_READ				   HS_VM_READ
#define VM_WRITE			   HS_VM_WRITE
#define VM_FAULT_OOM			   HS_VM_FAULT_OOM
#define VM_FAULT_SIGBUS			   HS_VM_FAULT_SIGBUS

/* hmm and notifiers */
#define hmm_range_fault		     hs_hmm_range_fault
#define mmu_interval_read_begin	     hs_mmu_interval_read_begin
#define mmu_interval_read_retry	     hs_mmu_interval_read_retry
#define mmu_interval_check_retry     hs_mmu_interval_check_retry
#define mmu_interval_set_seq	     hs_mmu_interval_set_seq
#define mmu_interval_notifier_insert hs_mmu_interval_notifier_insert
#define mmu_interval_notifier_remove hs_mmu_interval_notifier_remove
#define mmu_notifier_range_blockable hs_mmu_notifier_range_blockable
static inline struct hs_page *hmm_pfn_to_page(unsigned long hmm_pfn)
{
	return hs_pfn_to_page(hs_hmm_pfn_to_pfn(hmm_pfn));
}

/* migration */
#define migrate_vma_setup	hs_migrate_vma_setup
#define migrate_vma_pages	hs_migrate_vma_pages
#define migrate_vma_finalize	hs_migrate_vma_finalize
#define migrate_device_range	hs_migrate_device_range
#define migrate_device_pages	hs_migrate_device_pages
#define migrate_device_finalize hs_migrate_device_finalize
#define migrate_pfn		hs_migrate_pfn
#define migrate_pfn_to_page	hs_migrate_pfn_to_page

/* pages and pagemaps */
#define pfn_to_page		       hs_pfn_to_page
#define page_to_pfn		       hs_page_to_pfn
#define get_page		       hs_get_page
#define put_page		       hs_put_page
#define lock_page		       hs_lock_page
#define unlock_page		       hs_unlock_page
#define trylock_page		       hs_trylock_page
#define copy_highpage		       hs_copy_page
#define is_device_private_page	       hs_is_device_private_page
#define is_zone_device_page	       hs_is_zone_device_page
#define zone_device_page_init	       hs_zone_device_page_init
#define memremap_pages(pgmap, nr)      hs_memremap_pages((pgmap), (nr))
#define memunmap_pages		       hs_memunmap_pages
#define alloc_page_vma(gfp, vma, addr) hs_alloc_page()

/* mm */
#define find_vma	     hs_find_vma
#define mmap_read_lock(mm)   sim_down_read(&(mm)->mmap_lock)
#define mmap_read_unlock(mm) sim_up_read(&(mm)->mmap_lock)
#define mmget		     hs_mmget
#define mmput		     hs_mmput

/* locking and accesses */
#define mutex_init(m)	    sim_mutex_init((m), #m)
#define mutex_lock	    sim_mutex_lock
#define mutex_unlock	    sim_mutex_unlock
#define mutex_trylock	    sim_mutex_trylock
#define spinlock_t	    sim_spinlock_t
#define spin_lock_init(l)   sim_spin_init((l), #l)
#define spin_lock	    sim_spin_lock
#define spin_unlock	    sim_spin_unlock
#define lockdep_assert_held sim_assert_held
#define READ_ONCE	    SIM_READ_ONCE
#define WRITE_ONCE	    SIM_WRITE_ONCE

#endif /* HMMSIM_KERNEL_H */
