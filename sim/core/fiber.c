// SPDX-License-Identifier: MIT
#define _GNU_SOURCE /* pthread_getattr_np() */
#include "fiber.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hmmsim/thread.h>

#ifdef HMMSIM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define STACK_SIZE (1u << 20)
#elif defined(HMMSIM_TSAN)
#include <sanitizer/tsan_interface.h>
#define STACK_SIZE (1u << 20)
#else
#define STACK_SIZE (256u << 10)
#endif

static struct {
	void *lo;
	size_t size;
} stack_pool[SIM_MAX_THREADS + 1];

#if defined(__x86_64__)
void sim_ctx_switch(void **save_sp, void *load_sp);
void sim_ctx_start(void);
#endif

static int stack_get(unsigned int slot, void **lo, size_t *size)
{
	if (slot > SIM_MAX_THREADS)
		return -EINVAL;
	if (!stack_pool[slot].lo) {
		size_t guard = (size_t)sysconf(_SC_PAGESIZE);
		char *m = mmap(NULL, STACK_SIZE + guard, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED)
			return -ENOMEM;
		if (mprotect(m, guard, PROT_NONE)) {
			munmap(m, STACK_SIZE + guard);
			return -ENOMEM;
		}
		stack_pool[slot].lo = m + guard;
		stack_pool[slot].size = STACK_SIZE;
	}
	*lo = stack_pool[slot].lo;
	*size = stack_pool[slot].size;
	return 0;
}

void sim_fiber_init_host(struct sim_fiber *f)
{
	memset(f, 0, sizeof(*f));
#ifdef HMMSIM_ASAN
	/*
	 * ASan needs the host stack's bounds when a fiber switches back to it.
	 * Asked once per thread: for the main thread pthread_getattr_np() reads
	 * /proc/self/maps, which took most of a short execution's time (every
	 * execution sets its host fiber up).
	 */
	static __thread void *host_lo;
	static __thread size_t host_size;
	static __thread bool host_known;
	pthread_attr_t attr;
	if (!host_known && pthread_getattr_np(pthread_self(), &attr) == 0) {
		pthread_attr_getstack(&attr, &host_lo, &host_size);
		pthread_attr_destroy(&attr);
		host_known = true;
	}
	f->stack_lo = host_lo;
	f->stack_size = host_size;
#endif
#ifdef HMMSIM_TSAN
	f->tsan = __tsan_get_current_fiber();
#endif
}

#if !defined(__x86_64__)
static void uc_trampoline(unsigned int hi, unsigned int lo, unsigned int ahi, unsigned int alo)
{
	void (*entry)(void *) = (void (*)(void *))(((uintptr_t)hi << 32) | lo);
	entry((void *)(((uintptr_t)ahi << 32) | alo));
	__builtin_trap();
}
#endif

int sim_fiber_prepare(struct sim_fiber *f, unsigned int slot, void (*entry)(void *), void *arg)
{
	void *lo;
	size_t size;
	int err = stack_get(slot, &lo, &size);
	if (err)
		return err;
	sim_fiber_forget(f);
	f->stack_lo = lo;
	f->stack_size = size;
#ifdef HMMSIM_ASAN
	/* An abandoned fiber left its frames' redzones poisoned on this stack. */
	ASAN_UNPOISON_MEMORY_REGION(lo, size);
	f->fake_stack = NULL;
#endif
#ifdef HMMSIM_TSAN
	f->tsan = __tsan_create_fiber(0);
	f->tsan_owned = true;
#endif
#if defined(__x86_64__)
	uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 64);
	uint32_t mxcsr;
	uint16_t fpucw;
	__asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(mxcsr), "=m"(fpucw));
	sp[0] = mxcsr | (uint64_t)fpucw << 32; /* as sim_ctx_switch saves them */
	sp[1] = 0;			       /* r15 */
	sp[2] = 0;			       /* r14 */
	sp[3] = (uint64_t)(uintptr_t)entry;    /* r13 */
	sp[4] = (uint64_t)(uintptr_t)arg;      /* r12 */
	sp[5] = 0;			       /* rbx */
	sp[6] = 0;			       /* rbp */
	sp[7] = (uint64_t)(uintptr_t)sim_ctx_start;
	f->sp = sp;
#else
	getcontext(&f->uc);
	f->uc.uc_stack.ss_sp = lo;
	f->uc.uc_stack.ss_size = size;
	f->uc.uc_link = NULL;
	uintptr_t e = (uintptr_t)entry, a = (uintptr_t)arg;
	makecontext(&f->uc, (void (*)(void))uc_trampoline, 4, (unsigned int)(e >> 32),
		    (unsigned int)e, (unsigned int)(a >> 32), (unsigned int)a);
#endif
	return 0;
}

void sim_fiber_started(struct sim_fiber *self)
{
#ifdef HMMSIM_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	(void)self;
}

void sim_fiber_switch(struct sim_fiber *from, struct sim_fiber *to, bool from_dead)
{
#ifdef HMMSIM_ASAN
	__sanitizer_start_switch_fiber(from_dead ? NULL : &from->fake_stack, to->stack_lo,
				       to->stack_size);
#endif
#ifdef HMMSIM_TSAN
	__tsan_switch_to_fiber(to->tsan, 0);
#endif
#if defined(__x86_64__)
	sim_ctx_switch(&from->sp, to->sp);
#else
	swapcontext(&from->uc, &to->uc);
#endif
#ifdef HMMSIM_ASAN
	__sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
	(void)from_dead;
}

void sim_fiber_forget(struct sim_fiber *f)
{
#ifdef HMMSIM_TSAN
	if (f->tsan_owned)
		__tsan_destroy_fiber(f->tsan);
	f->tsan = NULL;
	f->tsan_owned = false;
#endif
	(void)f;
}
