// SPDX-License-Identifier: MIT
/*
 * The per-CPU LRU add batches of mm/swap.c (folio_add_lru(), lru_add_drain(),
 * lru_add_drain_all()), folio_isolate_lru()'s test of mm/vmscan.c, and the
 * little of the scheduler they need: which CPU a thread runs on, and when a
 * per-CPU work item can run there.
 *
 * What the early-2026 fix "mm: Fix a hmm_range_fault() livelock /
 * starvation problem" is about: migrate_device_unmap() meets a RAM folio that
 * is not on the LRU yet (it sits in a CPU's lru_add batch, which holds a
 * reference to it) and calls lru_add_drain_all(), which queues a drain work
 * item on every CPU with a non-empty batch and waits for each.  A work item
 * runs on its CPU only when that CPU schedules; under voluntary or no
 * preemption a kernel loop without a sleep or cond_resched() never does.
 *
 * Simplifications (docs/fidelity.md):
 *  - CPUs exist only for threads that say which one they run on
 *    (hs_set_cpu()); a thread without a CPU puts its new pages straight on
 *    the LRU (as if its batch were drained at once) and occupies no CPU.
 *    So every scenario that binds no thread behaves as before.
 *  - A CPU is "busy" while a thread bound to it runs hmm_range_fault()
 *    (hs_cpu_enter_kernel()), the one kernel loop the model knows to have no
 *    preemption point, and not while that thread sleeps at the points the
 *    model marks (hs_cpu_sleep_begin(): the device-private and migration
 *    entry waits of do_swap_page()); other sleeps inside hmm_range_fault()
 *    (the driver's migrate_to_ram()) do not free the CPU.
 *  - The batch is only lru_add (no lru_activate, lru_deactivate, ...), of
 *    any size (the kernel's holds PAGEVEC_SIZE, 31, and drains itself when
 *    full); lru_add_drain_all() has no lru_drain_gen piggybacking and no
 *    mutex, and spawns its per-CPU work items as threads (queue_work_on())
 *    that it joins (flush_work()).
 *  - The LRU lists themselves are not modelled: a page is "on the LRU"
 *    (folio_test_lru()) when it is a RAM page in no CPU's batch.
 *
 * Which accesses are annotated, and why: a CPU's batch and its count are
 * plain C under the CPU's lock, each section noting cpu->nr (one note for
 * the whole batch: coarse, so sound; no scheduling point), so the lock is
 * marked sim_spin_annotated(); the page flag HS_PG_LRU_BATCH (a bit of
 * page->flags: sim_bits_t) and the busy count are atomics; the machine's
 * pointer to its CPUs, which the first hs_set_cpu() makes and publishes,
 * is a noted atomic (cpus_get()).
 */
#include <hmmsim/mm.h>

#include "internal.h"

#define HS_LRU_BATCH_MAX 16

/**
 * struct hs_cpu - one CPU: its lru_add batch and whether it can schedule.
 * @lock:	local_lock of cpu_fbatches
 * @batch:	the pages of cpu_fbatches.lru_add, each holding a reference
 * @nr:		entries of @batch
 * @busy:	threads on this CPU running kernel code with no preemption point
 * @wq:		where a work item waits for the CPU to schedule
 */
struct hs_cpu {
	sim_spinlock_t lock;
	struct hs_page *batch[HS_LRU_BATCH_MAX];
	unsigned int nr;
	sim_atomic_t busy;
	sim_waitqueue_t wq;
};

/**
 * struct hs_cpus - the machine's CPUs (allocated by the first hs_set_cpu()).
 * @cpu:	the CPUs
 * @of:		per thread id: the CPU it runs on plus one, 0 for none
 */
struct hs_cpus {
	struct hs_cpu cpu[HS_NR_CPUS];
	int of[SIM_MAX_THREADS];
};

/*
 * The machine's CPUs, or NULL before the first hs_set_cpu(), which makes
 * them: the threads that bind themselves race to publish the pointer, so it
 * is read and written through noted atomics (dpor orders the thread that
 * made them with every reader; on real threads one of them wins).
 */
static struct hs_cpus *cpus_get(void)
{
	return hs_mach ? sim_noted_load_n(&hs_mach->cpus, __ATOMIC_ACQUIRE) : NULL;
}

/* The CPU the caller said it runs on (hs_set_cpu()), or -1. */
int hs_bound_cpu(void)
{
	struct hs_cpus *c = cpus_get();
	int self = sim_self();

	if (!c || self < 0 || self >= SIM_MAX_THREADS || !c->of[self])
		return -1;
	return c->of[self] - 1;
}

static struct hs_cpu *this_cpu(void)
{
	int cpu = hs_bound_cpu();

	return cpu < 0 ? NULL : &cpus_get()->cpu[cpu];
}

/**
 * hs_set_cpu() - the calling thread runs on CPU @cpu from now on.
 * @cpu: 0 .. HS_NR_CPUS - 1
 *
 * Not a kernel function (the model's threads are not otherwise on a CPU);
 * set before the thread does anything the batches or hs_cpu_enter_kernel()
 * see.  Set up by the calling thread only: no scheduling point.
 */
void hs_set_cpu(int cpu)
{
	struct hs_cpus *c = cpus_get();

	sim_check(cpu >= 0 && cpu < HS_NR_CPUS, "hs_set_cpu: no CPU %d", cpu);
	if (!c) {
		struct hs_cpus *made = sim_alloc(sizeof(*made));
		for (int i = 0; i < HS_NR_CPUS; i++) {
			sim_spin_init(&made->cpu[i].lock, "cpu_fbatches.lock");
			sim_spin_annotated(&made->cpu[i].lock); /* the batch and nr */
			sim_waitqueue_init(&made->cpu[i].wq, "cpu_resched");
		}
		sim_note_access(&hs_mach->cpus, true);
		if (__atomic_compare_exchange_n(&hs_mach->cpus, &c, made, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			c = made; /* else another thread's, in c */
	}
	c->of[sim_self()] = cpu + 1; /* read by this thread only */
}

/**
 * hs_cpu_enter_kernel() - the caller starts kernel code that will not
 * schedule (no sleep, no cond_resched()) until hs_cpu_exit_kernel().
 *
 * Not a kernel function: marks the caller's CPU busy, so that a work item
 * queued on it waits.  No-op for a thread without a CPU.
 */
void hs_cpu_enter_kernel(void)
{
	struct hs_cpu *cpu = this_cpu();

	if (cpu)
		sim_atomic_add(&cpu->busy, 1, SIM_RELAXED);
}

/**
 * hs_cpu_exit_kernel() - the caller schedules (sleeps, or returns to user
 * space): work items queued on its CPU can run.
 */
void hs_cpu_exit_kernel(void)
{
	struct hs_cpu *cpu = this_cpu();

	if (!cpu)
		return;
	if (sim_atomic_sub_return(&cpu->busy, 1, SIM_RELAXED) == 0)
		sim_wake_up_all(&cpu->wq);
}

/* The caller is about to sleep: schedule() lets its CPU's work run. */
void hs_cpu_sleep_begin(bool *busy)
{
	struct hs_cpu *cpu = this_cpu();

	*busy = cpu && sim_atomic_load(&cpu->busy, SIM_RELAXED);
	if (*busy)
		hs_cpu_exit_kernel();
}

/* ... and woke up, back in the code that does not schedule. */
void hs_cpu_sleep_end(bool busy)
{
	if (busy)
		hs_cpu_enter_kernel();
}

/**
 * hs_folio_add_lru() - folio_add_lru(): a new page goes to the LRU through
 * the caller's CPU's lru_add batch, which holds a reference to it until
 * drained.  A thread without a CPU puts it on the LRU at once.
 * @page: a RAM page just mapped
 */
void hs_folio_add_lru(struct hs_page *page)
{
	struct hs_cpu *cpu = this_cpu();

	if (!cpu)
		return;
	sim_spin_lock(&cpu->lock);
	HS_NOTE_WRITE(cpu->nr); /* the batch: one note on nr for all of it */
	if (cpu->nr < HS_LRU_BATCH_MAX) {
		hs_get_page(page);
		sim_bits_set(&page->flags, 1ul << HS_PG_LRU_BATCH, SIM_RELAXED);
		cpu->batch[cpu->nr++] = page;
	}
	sim_spin_unlock(&cpu->lock);
}

/* lru_add_drain_cpu(): move @cpu's batch to the LRU, dropping its references. */
static void lru_add_drain_cpu(struct hs_cpu *cpu)
{
	sim_spin_lock(&cpu->lock);
	HS_NOTE_WRITE(cpu->nr);
	for (unsigned int i = 0; i < cpu->nr; i++) {
		struct hs_page *page = cpu->batch[i];

		sim_bits_clear(&page->flags, 1ul << HS_PG_LRU_BATCH, SIM_RELAXED);
		hs_put_page(page);
	}
	cpu->nr = 0;
	sim_spin_unlock(&cpu->lock);
}

/**
 * hs_lru_add_drain() - lru_add_drain(): drain the caller's own CPU's batch.
 */
void hs_lru_add_drain(void)
{
	struct hs_cpu *cpu = this_cpu();

	if (cpu)
		lru_add_drain_cpu(cpu);
}

/* lru_add_drain_per_cpu(): the work item; it runs once its CPU schedules. */
static void lru_drain_work(void *arg)
{
	struct hs_cpu *cpu = arg;

	sim_wait_event(&cpu->wq, sim_atomic_load(&cpu->busy, SIM_RELAXED) == 0);
	lru_add_drain_cpu(cpu);
}

static bool cpu_needs_drain(struct hs_cpu *cpu)
{
	unsigned int nr;

	sim_spin_lock(&cpu->lock);
	nr = HS_NOTED(cpu->nr);
	sim_spin_unlock(&cpu->lock);
	return nr != 0;
}

/**
 * hs_lru_add_drain_all() - lru_add_drain_all(): queue the drain work on every
 * CPU whose batch is not empty and wait for all of them (flush_work()).
 * Sleeps.  The caller's own CPU schedules while it waits, so its work runs.
 */
void hs_lru_add_drain_all(void)
{
	struct hs_cpus *c = cpus_get();
	int tid[HS_NR_CPUS];
	bool busy;

	if (!c)
		return;
	for (int i = 0; i < HS_NR_CPUS; i++)
		tid[i] = cpu_needs_drain(&c->cpu[i])
			     ? sim_thread_spawn("kworker/lru_add_drain", lru_drain_work, &c->cpu[i])
			     : -1;
	hs_cpu_sleep_begin(&busy);
	for (int i = 0; i < HS_NR_CPUS; i++)
		if (tid[i] >= 0)
			sim_thread_join(tid[i]);
	hs_cpu_sleep_end(busy);
}

/**
 * hs_folio_test_lru() - folio_test_lru() for a RAM page: on the LRU unless
 * it still sits in a CPU's lru_add batch.
 * @page: a RAM page
 *
 * Return: whether folio_isolate_lru() can take it off the LRU.
 */
bool hs_folio_test_lru(struct hs_page *page)
{
	if (!cpus_get()) /* no batches: every page went straight on the LRU */
		return true;
	return !sim_bits_load(&page->flags, 1ul << HS_PG_LRU_BATCH, SIM_RELAXED);
}
