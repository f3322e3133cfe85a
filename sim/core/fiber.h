/* SPDX-License-Identifier: MIT */
/*
 * Fibers: the execution contexts of simulated threads.  Stacks are pooled by
 * thread slot (slot i keeps its stack across executions), mmap'd with a
 * PROT_NONE guard page below, so an overflow faults instead of corrupting the
 * next stack.  Switches are announced to ASan and TSan in sanitizer builds.
 */
#ifndef SIM_CORE_FIBER_H
#define SIM_CORE_FIBER_H

#include <stdbool.h>
#include <stddef.h>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

struct sim_fiber {
	void *sp;
	void *stack_lo;
	size_t stack_size;
#if !defined(__x86_64__)
	ucontext_t uc;
#endif
#ifdef HMMSIM_ASAN
	void *fake_stack;
#endif
#ifdef HMMSIM_TSAN
	void *tsan;
	bool tsan_owned;
#endif
};

/* The OS thread's own context, which runs the engine between executions. */
void sim_fiber_init_host(struct sim_fiber *f);
/* A fresh fiber on the pooled stack of @slot that will run entry(arg). */
int sim_fiber_prepare(struct sim_fiber *f, unsigned int slot, void (*entry)(void *), void *arg);
/* Announce that a fiber has started running (first thing in its entry). */
void sim_fiber_started(struct sim_fiber *self);
/* Switch from @from to @to.  @from_dead: @from will never be resumed. */
void sim_fiber_switch(struct sim_fiber *from, struct sim_fiber *to, bool from_dead);
/* Release sanitizer state of a fiber that was abandoned mid-execution. */
void sim_fiber_forget(struct sim_fiber *f);

#endif /* SIM_CORE_FIBER_H */
