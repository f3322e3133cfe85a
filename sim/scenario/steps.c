// SPDX-License-Identifier: MIT
/*
 * Scenario files, the steps (the instructions of SQLite's vdbe.c, with their
 * declaration and their documentation in one place): the step table below
 * is the single place a step is declared.  One row per step: its name, its
 * argument grammar (what the generic parser reads and docs/scenarios.md
 * shows), its flags, the checks the grammar cannot say, the handler that
 * runs it, and its one-line documentation, which is the "what it does"
 * column of docs/scenarios.md's step reference (a test compares the two).
 *
 * Adding a step: a handler (and checks if it needs them) above, one row in
 * the table, the same row in docs/scenarios.md, a file in tests/scenarios/
 * that uses it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scenario_int.h"

/* ---- helpers ------------------------------------------------------------------------ */

/* The address space of a process step (cpu-*, munmap, ...): obj is the process. */
static struct hs_mm *step_mm(struct thr *t, const struct step *s)
{
	return t->x->mm[s->obj];
}

/* The mirror of a mirror step (present: the interpreter checked), its lock bit. */
static struct hs_dmirror *step_mirror(struct thr *t, const struct step *s)
{
	return t->x->mir[s->obj];
}

static uint32_t lock_bit(const struct step *s)
{
	return 1u << s->obj;
}

/* The driver's fault count (cmd.faults) of a whole-loop device access,
 * summed per mirror; not a scheduling point. */
static void count_faults(struct thr *t, const struct step *s, unsigned long faults)
{
	__atomic_fetch_add(&t->x->faults[s->obj], faults, __ATOMIC_RELAXED);
}

static struct seqslot *step_seq(struct thr *t, const struct step *s)
{
	return &t->seq[s->seq];
}

/* ---- checks the grammar cannot say -------------------------------------------------- */

static bool not_in_repeat(struct parser *P, const struct step *s, int col0)
{
	if (P->depth)
		return sc_perr(P, col0, "expected %s outside repeat blocks, got it inside",
			       s->def->name);
	return true;
}

/* evict / unplug: once per device, outside repeats. */
static bool check_gone_once(struct parser *P, struct step *s, int col0, int col)
{
	struct device *d = &P->p->dev[s->obj];

	if (!not_in_repeat(P, s, col0))
		return false;
	if (d->gone_line)
		return sc_perr(P, col, "expected one %s of %s, got a second (line %d)",
			       d->gone_op == s->def ? s->def->name : "evict or unplug", d->name,
			       d->gone_line);
	return true;
}

static bool mark_gone(struct parser *P, struct step *s, int col0)
{
	(void)col0;
	P->p->dev[s->obj].gone_line = P->line;
	P->p->dev[s->obj].gone_op = s->def;
	return true;
}

static bool check_plug(struct parser *P, struct step *s, int col0, int col)
{
	struct device *d = &P->p->dev[s->obj];

	if (!d->hotplug)
		return sc_perr(P, col, "expected a device declared hotplug, got '%s'", d->name);
	if (P->depth)
		return sc_perr(P, col0, "expected plug outside repeat blocks, got it inside");
	if (d->plug_line)
		return sc_perr(P, col, "expected one plug of %s, got a second (line %d)", d->name,
			       d->plug_line);
	d->plug_line = P->line;
	d->plug_blk = P->blk;
	return true;
}

static bool check_release(struct parser *P, struct step *s, int col0, int col)
{
	struct mirror *m = &P->p->mir[s->obj];

	if (P->depth)
		return sc_perr(P, col0, "expected release outside repeat blocks, got it inside");
	if (m->release_line)
		return sc_perr(P, col, "expected one release of %s, got a second (line %d)",
			       m->name, m->release_line);
	m->release_line = P->line;
	return true;
}

/* mprotect: r|rw|none as VM_READ / VM_WRITE. */
static bool check_prot(struct parser *P, struct step *s, int col0)
{
	static const unsigned int prot[] = {HS_VM_READ, HS_VM_READ | HS_VM_WRITE, 0};
	(void)P, (void)col0;
	s->prot = prot[s->how];
	return true;
}

/* the mirror uses the driver's script (hs_dmirror_script_init()) */
static bool check_scripted(struct parser *P, struct step *s, int col0)
{
	(void)col0;
	if (s->how || strcmp(s->def->name, "migrate-to-dev"))
		P->p->mir[s->obj].scripted = true;
	return true;
}

static bool check_program(struct parser *P, struct step *s, int col0)
{
	(void)col0;
	if (!P->blk->seq_faulted[s->seq])
		return sc_perr(P, P->seq_col,
			       "expected a sequence with a range-fault before this step, got '%s'",
			       P->blk->seq_name[s->seq]);
	return true;
}

static bool check_signal(struct parser *P, struct step *s, int col0)
{
	(void)col0;
	P->p->flag_signalled[s->obj] = true;
	return true;
}

static bool check_wait(struct parser *P, struct step *s, int col0, int col)
{
	(void)col0;
	if (!P->p->flag_wait_line[s->obj]) {
		P->p->flag_wait_line[s->obj] = P->line;
		P->p->flag_wait_col[s->obj] = col;
	}
	return true;
}

static bool check_repeat(struct parser *P, struct step *s, int col0)
{
	(void)s;
	if (P->depth == MAX_DEPTH)
		return sc_perr(P, col0, "expected at most %d nested repeats, got one more",
			       MAX_DEPTH);
	return true;
}

static bool check_end(struct parser *P, struct step *s, int col0)
{
	(void)s;
	if (!P->depth)
		return sc_perr(P, col0, "expected a step, got 'end' (no repeat is open)");
	return true;
}

/* fork PROC CHILD: CHILD is declared fork-of PROC; once, not in a repeat. */
static bool check_fork(struct parser *P, struct step *s, int col0)
{
	struct process *c = &P->p->proc[s->proc2];

	if (!c->forked || c->parent != s->obj)
		return sc_perr(P, col0, "expected a child declared 'process %s fork-of %s', got %s",
			       c->name, P->p->proc[s->obj].name, c->name);
	if (!not_in_repeat(P, s, col0))
		return false;
	if (c->fork_line)
		return sc_perr(P, col0, "expected one fork of %s, got a second (line %d)", c->name,
			       c->fork_line);
	c->fork_line = P->line;
	c->fork_blk = P->blk;
	return true;
}

/* mmput PROC: once per process, not in a repeat (its one reference). */
static bool check_mmput(struct parser *P, struct step *s, int col0)
{
	struct process *pr = &P->p->proc[s->obj];

	if (!not_in_repeat(P, s, col0))
		return false;
	if (pr->mmput_line)
		return sc_perr(P, col0, "expected one mmput of %s, got a second (line %d)",
			       pr->name, pr->mmput_line);
	pr->mmput_line = P->line;
	return true;
}

/* ---- the handlers: each runs one step and returns the index of the next -------------- */

static int exec_cpu_read(struct thr *t, const struct step *s, int pc)
{
	unsigned long v = 0;

	if (sc_check_ret(t, s, hs_cpu_read(step_mm(t, s), s->addr, &v)))
		sc_check_values(t, s, &v, 1);
	return pc + 1;
}

static int exec_cpu_write(struct thr *t, const struct step *s, int pc)
{
	sc_check_ret(t, s, hs_cpu_write(step_mm(t, s), s->addr, s->value));
	return pc + 1;
}

static int exec_munmap(struct thr *t, const struct step *s, int pc)
{
	sc_check_ret(t, s, hs_munmap(step_mm(t, s), s->addr, s->npages * PG));
	return pc + 1;
}

static int exec_mprotect(struct thr *t, const struct step *s, int pc)
{
	sc_check_ret(t, s, hs_mprotect(step_mm(t, s), s->addr, s->npages * PG, s->prot));
	return pc + 1;
}

/* mremap: NEW is page-aligned and inside the process's address space. */
static bool check_mremap(struct parser *P, struct step *s, int col0)
{
	const struct process *pr = &P->p->proc[s->obj];

	if (s->value & (PG - 1) || s->value >= pr->va || s->npages * PG > pr->va - s->value)
		return sc_perr(P, col0,
			       "expected a page-aligned destination with room for %lu pages "
			       "below %#lx, got %#lx",
			       s->npages, pr->va, s->value);
	return true;
}

static int exec_mremap(struct thr *t, const struct step *s, int pc)
{
	unsigned int flags = HS_MREMAP_MAYMOVE | HS_MREMAP_FIXED;

	if (s->how)
		flags |= HS_MREMAP_DONTUNMAP;
	sc_check_ret(t, s, hs_mremap(step_mm(t, s), s->addr, s->npages * PG, s->value, flags));
	return pc + 1;
}

static int exec_oom_reap(struct thr *t, const struct step *s, int pc)
{
	sc_check_ret(t, s, hs_oom_reap_task(step_mm(t, s)));
	return pc + 1;
}

static int exec_mmput(struct thr *t, const struct step *s, int pc)
{
	hs_mmput(step_mm(t, s));
	return pc + 1;
}

/* s->how: 0 MADV_DONTNEED, 1 huge (MADV_HUGEPAGE) */
static int exec_madvise(struct thr *t, const struct step *s, int pc)
{
	if (s->how)
		sc_check_ret(t, s, hs_madvise_hugepage(step_mm(t, s), s->addr, s->npages * PG));
	else
		sc_check_ret(t, s, hs_madvise_dontneed(step_mm(t, s), s->addr, s->npages * PG));
	return pc + 1;
}

static int exec_swapout(struct thr *t, const struct step *s, int pc)
{
	int ret = 0;

	for (unsigned long i = 0; i < s->npages; i++) {
		int r = hs_swap_out(step_mm(t, s), s->addr + i * PG);
		if (r && !ret)
			ret = r;
	}
	sc_check_ret(t, s, ret);
	return pc + 1;
}

/* s->how: 0 plain, 1 map (test_hmm's) */
static int exec_migrate_to_dev(struct thr *t, const struct step *s, int pc)
{
	struct hs_dmirror *m = step_mirror(t, s);

	if (s->how)
		sc_check_ret(t, s, hs_dmirror_migrate_to_dev_map(m, s->addr, s->npages));
	else
		sc_check_ret(t, s, hs_dmirror_migrate_to_dev(m, s->addr, s->npages));
	return pc + 1;
}

/* A snapshot state as the file writes it (w|dev, none, ...). */
static const char *prot_name(unsigned long v, char *buf, size_t len)
{
	static const char *const kind[] = {"",	   "|zero",	 "|dev", "|dev-remote",
					   "|coh", "|coh-remote"};

	if (v == HS_DMIRROR_PROT_ERROR || v == HS_DMIRROR_PROT_NONE)
		snprintf(buf, len, "%s", v ? "error" : "none");
	else
		snprintf(buf, len, "%s%s%s", v & HS_DMIRROR_PROT_WRITE ? "w" : "r",
			 kind[(v >> 4) % 6], v & HS_DMIRROR_PROT_PMD ? "|pmd" : "");
	return buf;
}

static int exec_snapshot(struct thr *t, const struct step *s, int pc)
{
	unsigned char perm[MAX_STEP_PAGES];
	char a[24], b[24];
	int ret;

	if (t->locks & lock_bit(s))
		sc_step_fail(t, s, SIM_KIND_ASSERT,
			     "snapshot takes the mirror's lock: unlock it first");
	ret = hs_dmirror_snapshot(step_mirror(t, s), s->addr, s->npages, perm);
	if (!sc_check_ret(t, s, ret))
		return pc + 1;
	for (unsigned long i = 0; s->nvals && i < s->npages; i++) {
		unsigned long want = s->vals[s->nvals == 1 ? 0 : i];
		if (perm[i] != want)
			sc_step_fail(t, s, SIM_KIND_ASSERT, "page %#lx is %s (%#x), expected %s",
				     s->addr + i * PG, prot_name(perm[i], a, sizeof(a)), perm[i],
				     prot_name(want, b, sizeof(b)));
	}
	return pc + 1;
}

static int exec_check_faults(struct thr *t, const struct step *s, int pc)
{
	unsigned long n = __atomic_load_n(&t->x->faults[s->obj], __ATOMIC_RELAXED);

	if (n != s->count)
		sc_step_fail(t, s, SIM_KIND_ASSERT, "the driver took %lu faults, expected %lu", n,
			     s->count);
	return pc + 1;
}

static int exec_check_migrated(struct thr *t, const struct step *s, int pc)
{
	unsigned long n = hs_dmirror_migrated(step_mirror(t, s));

	if (n != s->count)
		sc_step_fail(t, s, SIM_KIND_ASSERT, "%lu pages migrated, expected %lu", n,
			     s->count);
	return pc + 1;
}

static int exec_migrate_to_sys(struct thr *t, const struct step *s, int pc)
{
	sc_check_ret(t, s, hs_dmirror_migrate_to_sys(step_mirror(t, s), s->addr, s->npages));
	return pc + 1;
}

/* evict and unplug: once per device in the file, but a restart may jump back over it */
static void device_going(struct thr *t, const struct step *s)
{
	if (t->x->gone[s->obj])
		sc_step_fail(t, s, SIM_KIND_ASSERT, "the device is already gone");
	t->x->gone[s->obj] = true;
}

static int exec_evict(struct thr *t, const struct step *s, int pc)
{
	device_going(t, s);
	hs_dmirror_device_remove(t->x->dev[s->obj]);
	return pc + 1;
}

static int exec_unplug(struct thr *t, const struct step *s, int pc)
{
	device_going(t, s);
	/* s->how is in the order of enum hs_dmirror_unplug */
	sc_check_ret(t, s,
		     hs_dmirror_device_unplug(t->x->dev[s->obj], (enum hs_dmirror_unplug)s->how));
	return pc + 1;
}

static int exec_release(struct thr *t, const struct step *s, int pc)
{
	if (t->x->released[s->obj])
		sc_step_fail(t, s, SIM_KIND_ASSERT, "the mirror is already released");
	t->x->released[s->obj] = true;
	hs_dmirror_release(step_mirror(t, s));
	return pc + 1;
}

static int exec_plug(struct thr *t, const struct step *s, int pc)
{
	if (t->x->dev[s->obj])
		sc_step_fail(t, s, SIM_KIND_ASSERT, "the device is already plugged");
	sc_device_plug(t->x, s->obj);
	return pc + 1;
}

static int exec_owner_change(struct thr *t, const struct step *s, int pc)
{
	struct exec *x = t->x;

	sc_check_ret(
	    t, s,
	    hs_dmirror_device_change_owner(x->dev[s->obj], x->cl[s->cluster], x->key[s->cluster]));
	return pc + 1;
}

static int exec_check_lost(struct thr *t, const struct step *s, int pc)
{
	hs_dmirror_device_check_lost(t->x->dev[s->obj]);
	return pc + 1;
}

/* what p2p_unplug_main() checks after its threads: nothing of the device
 * left in use, its BAR given back */
static int exec_check_unplugged(struct thr *t, const struct step *s, int pc)
{
	unsigned long n = hs_dmirror_device_pages_in_use(t->x->dev[s->obj]);

	if (n)
		sc_step_fail(t, s, SIM_KIND_ASSERT, "%lu of its pages still in use", n);
	if (t->x->pdev[s->obj] && (n = hs_pci_p2pmem_available(t->x->pdev[s->obj])))
		sc_step_fail(t, s, SIM_KIND_ASSERT, "its BAR is not released (%lu pages free)", n);
	return pc + 1;
}

static int exec_check_leaks(struct thr *t, const struct step *s, int pc)
{
	(void)t, (void)s;
	hs_machine_check_leaks();
	return pc + 1;
}

static int exec_check_entry(struct thr *t, const struct step *s, int pc)
{
	static const char *const entry_words[] = {"none", "ram", "device", "p2p", "p2p-bus"};
	enum entry k = ENT_NONE;

	if (t->locks & lock_bit(s))
		sc_step_fail(t, s, SIM_KIND_ASSERT,
			     "check-entry takes the mirror's lock: unlock it first");
	unsigned long e = hs_dmirror_mirror_entry(step_mirror(t, s), s->addr);
	if (e & HS_HMM_PFN_P2PDMA_BUS)
		k = ENT_P2P_BUS;
	else if (e & HS_HMM_PFN_P2PDMA)
		k = ENT_P2P;
	else if (e)
		k = hs_is_device_private_page(hs_pfn_to_page(hs_hmm_pfn_to_pfn(e))) ? ENT_DEVICE
										    : ENT_RAM;
	/* p2p: a BAR page however it was DMA-mapped */
	if (k != s->how && !(s->how == ENT_P2P && k == ENT_P2P_BUS))
		sc_step_fail(t, s, SIM_KIND_ASSERT, "the entry is %s (%#lx), expected %s",
			     entry_words[k], e, entry_words[s->how]);
	return pc + 1;
}

static int exec_device_atomic(struct thr *t, const struct step *s, int pc)
{
	unsigned long faults = 0;
	int ret =
	    hs_dmirror_atomic(step_mirror(t, s), s->addr, s->npages, s->value, t->buf, &faults);

	count_faults(t, s, faults);

	if (sc_check_ret(t, s, ret))
		sc_check_values(t, s, t->buf, s->npages);
	return pc + 1;
}

static int exec_device_read(struct thr *t, const struct step *s, int pc)
{
	unsigned long faults = 0;
	int ret = hs_dmirror_read(step_mirror(t, s), s->addr, s->npages, t->buf, &faults);

	count_faults(t, s, faults);

	if (sc_check_ret(t, s, ret))
		sc_check_values(t, s, t->buf, s->npages);
	return pc + 1;
}

static int exec_device_write(struct thr *t, const struct step *s, int pc)
{
	for (unsigned long i = 0; i < s->npages; i++)
		t->buf[i] = s->value + i;
	unsigned long faults = 0;

	sc_check_ret(t, s,
		     hs_dmirror_write(step_mirror(t, s), s->addr, s->npages, t->buf, &faults));
	count_faults(t, s, faults);
	return pc + 1;
}

static int exec_read_begin(struct thr *t, const struct step *s, int pc)
{
	struct seqslot *q = step_seq(t, s);

	q->seq = hs_dmirror_read_begin(step_mirror(t, s));
	/* a fresh pass: no pfns of an earlier one */
	memset(q->pfns, 0, sizeof(q->pfns));
	q->npages = 0;
	q->faulted = false;
	return pc + 1;
}

static int exec_range_fault(struct thr *t, const struct step *s, int pc)
{
	struct seqslot *q = step_seq(t, s);
	int ret;

	ret = hs_dmirror_range_fault_flags(step_mirror(t, s), q->seq, s->addr, s->npages,
					   (s->fault ? HS_DMIRROR_RF_FAULT : 0) |
					       (s->write ? HS_DMIRROR_RF_WRITE : 0) |
					       (s->p2p ? HS_DMIRROR_RF_P2P : 0),
					   q->pfns);
	q->start = s->addr;
	q->npages = s->npages;
	q->write = s->write;
	q->faulted = true;
	if (ret == -EBUSY && s->action != ACT_NONE) {
		t->busy_count = t->busy_pc == pc ? t->busy_count + 1 : 1;
		t->busy_pc = pc;
		if (!s->busy_max || t->busy_count <= s->busy_max) {
			sim_yield(); /* cond_resched(), as dmirror_range_fault() */
			/* restart: a new sequence; retry: the same, stale one */
			return s->action == ACT_RESTART ? s->target : pc;
		}
	}
	t->busy_pc = -1;
	sc_check_ret(t, s, ret);
	return pc + 1;
}

static int exec_lock(struct thr *t, const struct step *s, int pc)
{
	if (t->locks & lock_bit(s))
		sc_step_fail(t, s, SIM_KIND_DEADLOCK, "this thread already holds the lock");
	hs_dmirror_lock(step_mirror(t, s));
	t->locks |= lock_bit(s);
	return pc + 1;
}

static int exec_unlock(struct thr *t, const struct step *s, int pc)
{
	if (!(t->locks & lock_bit(s)))
		sc_step_fail(t, s, SIM_KIND_ASSERT, "this thread does not hold the lock");
	hs_dmirror_unlock(step_mirror(t, s));
	t->locks &= ~lock_bit(s);
	return pc + 1;
}

static int exec_read_retry(struct thr *t, const struct step *s, int pc)
{
	if (!hs_dmirror_read_retry(step_mirror(t, s), step_seq(t, s)->seq))
		return pc + 1;
	switch (s->action) {
	case ACT_FAIL:
		sc_step_fail(t, s, SIM_KIND_ASSERT, "an invalidation ran since read-begin");
	case ACT_UNLOCK_RESTART:
		if (!(t->locks & lock_bit(s)))
			sc_step_fail(t, s, SIM_KIND_ASSERT,
				     "unlock-restart, but this thread does not hold the lock");
		hs_dmirror_unlock(step_mirror(t, s));
		t->locks &= ~lock_bit(s);
		/* fall through */
	case ACT_RESTART:
		sim_yield();
		return s->target;
	default: /* ignore: the buggy driver goes on */
		return pc + 1;
	}
}

static int exec_program(struct thr *t, const struct step *s, int pc)
{
	struct seqslot *q = step_seq(t, s);

	if (!q->faulted)
		sc_step_fail(t, s, SIM_KIND_ASSERT, "no range-fault since read-begin");
	sc_check_ret(t, s,
		     hs_dmirror_program(step_mirror(t, s), q->start, q->npages, q->pfns, q->write));
	return pc + 1;
}

/* device-read-mirror / device-write-mirror: the lock around it unless held */
static void mirror_access(struct thr *t, const struct step *s, bool write)
{
	struct hs_dmirror *m = step_mirror(t, s);
	bool held = t->locks & lock_bit(s);
	int ret;

	if (write)
		for (unsigned long i = 0; i < s->npages; i++)
			t->buf[i] = s->value + i;
	if (!held)
		hs_dmirror_lock(m);
	ret = hs_dmirror_access_mirror(m, s->addr, s->npages, t->buf, write);
	if (!held)
		hs_dmirror_unlock(m);
	if (sc_check_ret(t, s, ret) && !write)
		sc_check_values(t, s, t->buf, s->npages);
}

static int exec_mirror_read(struct thr *t, const struct step *s, int pc)
{
	mirror_access(t, s, false);
	return pc + 1;
}

static int exec_mirror_write(struct thr *t, const struct step *s, int pc)
{
	mirror_access(t, s, true);
	return pc + 1;
}

static int exec_signal(struct thr *t, const struct step *s, int pc)
{
	struct exec *x = t->x;

	SIM_STORE_RELEASE(x->flag[s->obj], 1);
	return pc + 1;
}

static int exec_wait(struct thr *t, const struct step *s, int pc)
{
	struct exec *x = t->x;

	while (!SIM_LOAD_ACQUIRE(x->flag[s->obj])) {
		if (++t->run > MAX_RUN)
			sc_step_fail(t, s, SIM_KIND_LIVELOCK, "waited %lu steps", MAX_RUN);
		sim_yield();
	}
	return pc + 1;
}

static int exec_yield(struct thr *t, const struct step *s, int pc)
{
	(void)t, (void)s;
	sim_yield();
	return pc + 1;
}

static int exec_check_data(struct thr *t, const struct step *s, int pc)
{
	hs_mm_check_data(step_mm(t, s), s->addr, s->addr + s->npages * PG);
	return pc + 1;
}

/* ---- fork, device-exclusive access, pins (issue 13) ---------------------------------- */

static int exec_fork(struct thr *t, const struct step *s, int pc)
{
	struct exec *x = t->x;
	struct hs_mm *child = NULL;

	if (x->mm[s->proc2])
		sc_step_fail(t, s, SIM_KIND_ASSERT, "the child is already forked");
	if (sc_check_ret(t, s, hs_dup_mm(step_mm(t, s), x->p->proc[s->proc2].name, &child))) {
		x->mm[s->proc2] = child;
		sc_process_forked(x, s->proc2);
	}
	return pc + 1;
}

static int exec_device_exclusive(struct thr *t, const struct step *s, int pc)
{
	int ret = hs_dmirror_exclusive(step_mirror(t, s), s->addr, s->npages, t->buf);

	if (sc_check_ret(t, s, ret))
		sc_check_values(t, s, t->buf, s->npages);
	return pc + 1;
}

static int exec_check_exclusive(struct thr *t, const struct step *s, int pc)
{
	sc_check_ret(t, s, hs_dmirror_check_exclusive(step_mirror(t, s), s->addr, s->npages));
	return pc + 1;
}

/* s->how: 1 longterm */
static int exec_pin(struct thr *t, const struct step *s, int pc)
{
	struct hs_page *pages[MAX_STEP_PAGES];
	unsigned int flags = HS_FOLL_WRITE | (s->how ? HS_FOLL_LONGTERM : 0);
	long n;

	if (t->npinned + (int)s->npages > MAX_STEP_PAGES)
		sc_step_fail(t, s, SIM_KIND_ASSERT, "more than %d pages pinned by this thread",
			     MAX_STEP_PAGES);
	n = hs_pin_user_pages(step_mm(t, s), s->addr, s->npages, flags, pages);
	if (!sc_check_ret(t, s, n < 0 ? (int)n : 0))
		return pc + 1;
	for (long i = 0; i < n; i++) {
		t->pinned[t->npinned] = pages[i];
		t->pinned_addr[t->npinned] = s->addr + (unsigned long)i * PG;
		t->pinned_proc[t->npinned++] = s->obj;
	}
	return pc + 1;
}

static int exec_unpin(struct thr *t, const struct step *s, int pc)
{
	for (unsigned long i = 0; i < s->npages; i++) {
		unsigned long a = s->addr + i * PG;
		int k = 0;
		while (k < t->npinned && (t->pinned_addr[k] != a || t->pinned_proc[k] != s->obj))
			k++;
		if (k == t->npinned)
			sc_step_fail(t, s, SIM_KIND_ASSERT, "this thread pinned no page at %#lx",
				     a);
		hs_unpin_user_pages(&t->pinned[k], 1);
		t->npinned--;
		t->pinned[k] = t->pinned[t->npinned];
		t->pinned_addr[k] = t->pinned_addr[t->npinned];
		t->pinned_proc[k] = t->pinned_proc[t->npinned];
	}
	return pc + 1;
}

static int exec_repeat(struct thr *t, const struct step *s, int pc)
{
	t->loops[t->depth++] = s->count;
	return pc + 1;
}

static int exec_end(struct thr *t, const struct step *s, int pc)
{
	if (--t->loops[t->depth - 1])
		return s->target + 1;
	t->depth--;
	return pc + 1;
}

/* ---- the table ---------------------------------------------------------------------- */

#define R STEP_RESULT

const struct step_def sc_step_table[] = {
    {"cpu-read", "PROC ADDR [= V]", R, 0, NULL, NULL, exec_cpu_read,
     "a user load (TLB, page table, fault)"},
    {"cpu-write", "PROC ADDR V", R, 0, NULL, NULL, exec_cpu_write, "a user store"},
    {"munmap", "PROC ADDR PAGES", R, 0, NULL, NULL, exec_munmap,
     "`munmap()`: `MMU_NOTIFY_UNMAP`, zap, drop the VMA part"},
    {"mprotect", "PROC ADDR PAGES r|rw|none", R, 0, NULL, check_prot, exec_mprotect,
     "`mprotect()`: `MMU_NOTIFY_PROTECTION_VMA`"},
    {"madvise", "PROC ADDR PAGES [huge]", R, 0, NULL, NULL, exec_madvise,
     "`madvise(MADV_DONTNEED)`: `MMU_NOTIFY_CLEAR`, zap, keep the VMA; `huge`: "
     "`madvise(MADV_HUGEPAGE)` instead (`hs_madvise_hugepage()`): the VMAs are split at the "
     "range's ends and marked `VM_HUGEPAGE`, under `mmap_lock` for write, so later first "
     "faults of PMD-aligned 2 MiB get THPs (as `vma ... huge`, with the same need for free "
     "aligned RAM); nothing mapped changes (no khugepaged)"},
    {"mremap", "PROC ADDR PAGES NEW [dontunmap]", R, 0, NULL, check_mremap, exec_mremap,
     "`mremap(ADDR, len, len, MREMAP_MAYMOVE|MREMAP_FIXED, NEW)` (model/mremap.c): the "
     "destination is unmapped, every entry moves (`move_ptes()`, a whole aligned THP by "
     "`move_huge_pmd()`) inside one `MMU_NOTIFY_UNMAP` of the old range, then the old VMA "
     "goes (`dontunmap`: `MREMAP_DONTUNMAP`, it stays, empty). Steps may use NEW only "
     "inside a declared VMA: declare one there (mremap replaces it)"},
    {"oom-reap", "PROC", R, 0, NULL, NULL, exec_oom_reap,
     "the OOM reaper (`oom_reap_task()`, model/oom_kill.c): at most 10 attempts, a yield "
     "between two; each takes `mmap_read_trylock()` and unmaps every private VMA inside a "
     "non-blocking `MMU_NOTIFY_UNMAP` of its own "
     "(`mmu_notifier_invalidate_range_start_nonblock()`); a VMA whose invalidation a "
     "notifier refuses (the reference driver's `mutex_trylock()` failed) stays mapped and "
     "the attempt fails; `-EAGAIN` when the last one fails. The process's threads are not "
     "killed: they go on, and fault new pages"},
    {"mmput", "PROC", 0, 0, NULL, check_mmput, exec_mmput,
     "`mmput()` of the process's own reference, the last: `exit_mmap()`, "
     "`mmu_notifier_release()` first (a blockable `MMU_NOTIFY_RELEASE` over the whole "
     "space, nothing unmapped), then under `mmap_read_lock()` one `MMU_NOTIFY_UNMAP` around "
     "the zap of every VMA, then the pages are freed and the VMAs go under "
     "`mmap_write_lock()`. The mirrors stay open. Once per process, not in a repeat"},
    {"swapout", "PROC ADDR [PAGES]", R, MAX_STEP_PAGES, NULL, NULL, exec_swapout,
     "reclaim each page to a swap slot (`-EBUSY` when it cannot: not present, locked, "
     "device memory)"},
    {"migrate-to-dev", "MIRROR ADDR PAGES [map]", R, 0, NULL, check_scripted, exec_migrate_to_dev,
     "`HMM_DMIRROR_MIGRATE_TO_DEV`: `migrate_vma_setup/pages/finalize` to the mirror's "
     "device (pages that cannot move stay). `map`: the new pages are also mapped into the "
     "mirror between `migrate_vma_pages()` and `migrate_vma_finalize()`, as lib/test_hmm.c's "
     "`dmirror_migrate_finalize_and_map()` does, under the lock and without a notifier "
     "sequence (`hs_dmirror_migrate_to_dev_map()`)"},
    {"snapshot", "MIRROR ADDR PAGES [= PROT...]", R, MAX_STEP_PAGES, NULL, NULL, exec_snapshot,
     "`HMM_DMIRROR_SNAPSHOT`: `hmm_range_fault()` without faulting, in the sequence loop, "
     "under a notifier of its own over the range, inserted for the step and removed at its "
     "end (`dmirror_snapshot()`, `dmirror_range_snapshot()`); `= PROT...` checks each "
     "page's state (one for all, or one per page): `none`, `error`, or `r` or `w` "
     "(readable, writable), each may add `|zero` (the 4K zero page; the huge zero folio "
     "is `r|pmd`), `|dev` (this device's private page), `|dev-remote` (another "
     "device's), `|coh` (this device's coherent page) or `|coh-remote` (another device's), "
     "test_hmm's `HMM_DMIRROR_PROT_*`, and `|pmd` (a THP mapped by a PMD: "
     "`HMM_DMIRROR_PROT_PMD`). Takes the mirror's lock: not while the thread holds it; at "
     "most 64 pages"},
    {"check-faults", "MIRROR COUNT", 0, 0, NULL, NULL, exec_check_faults,
     "an `assertion` unless the driver took COUNT faults so far through this mirror: the "
     "sum of test_hmm's `cmd.faults` over its `device-read`, `device-write` and "
     "`device-atomic` steps, in every thread"},
    {"check-migrated", "MIRROR COUNT", 0, 0, NULL, check_scripted, exec_check_migrated,
     "an `assertion` unless COUNT pages were migrated so far by this mirror's "
     "`migrate-to-dev` and `migrate-to-sys` steps: the sum of test_hmm's `cmd.cpages` "
     "(`dmirror_successful_migrated_pages()`)"},
    {"migrate-to-sys", "MIRROR ADDR PAGES", R, 0, NULL, NULL, exec_migrate_to_sys,
     "`HMM_DMIRROR_MIGRATE_TO_SYS`: back to RAM"},
    {"evict", "DEVICE", 0, 0, check_gone_once, mark_gone, exec_evict,
     "device removal: `dmirror_device_evict_chunk()` then `memunmap_pages()` (once per "
     "device, not in a repeat)"},
    {"release", "MIRROR", 0, 0, check_release, NULL, exec_release,
     "`dmirror_fops_release()`: `mmu_interval_notifier_remove()`, then the notifier is "
     "freed (once per mirror, not in a repeat)"},
    {"unplug", "DEVICE safe|surprise|devm|free-first", R, 0, check_gone_once, mark_gone,
     exec_unplug,
     "hot unplug of the device (`hs_dmirror_device_unplug()`, docs/p2p.md \"Hot unplug\"): "
     "`safe` the ordered revoke (no new grants, evict and invalidate every importer, wait,"
     " then the BAR); `surprise` the device is gone first, accesses that reach it "
     "afterwards fail and are recorded; `devm` devres teardown at unbind without evicting "
     "first; `free-first` the bug: the BAR freed before the importers are invalidated. "
     "Once per device (with `evict`), not in a repeat"},
    {"plug", "DEVICE", STEP_PLUG, 0, check_plug, NULL, exec_plug,
     "a `hotplug` device arrives: `memremap_pages()`, its PCI function bound (its BAR, its"
     " peer group), its owner, its mirrors opened. Once, not in a repeat; the device and "
     "its mirrors may be used after it in the same block, and in `final`"},
    {"owner-change", "DEVICE CLUSTER", R, 0, NULL, NULL, exec_owner_change,
     "the device moves to the cluster, as the owner policy does it "
     "(`hs_dmirror_device_change_owner()`): `-EOPNOTSUPP` where owners are fixed "
     "(`pointer`, `cluster-id`, `peer-group`)"},
    {"device-read", "MIRROR ADDR PAGES [= V...]", R, MAX_STEP_PAGES, NULL, NULL, exec_device_read,
     "`HMM_DMIRROR_READ`: read through the mirror, fault what is missing with the whole "
     "protocol (`dmirror_fault()`), again; at most 64 pages"},
    {"device-write", "MIRROR ADDR PAGES V", R, MAX_STEP_PAGES, NULL, NULL, exec_device_write,
     "`HMM_DMIRROR_WRITE` of V, V+1, ..."},
    {"device-atomic", "MIRROR ADDR PAGES ADD [= OLD...]", R, MAX_STEP_PAGES, NULL, NULL,
     exec_device_atomic,
     "a device fetch-add of ADD to each page's word through the mirror "
     "(`hs_dmirror_atomic()`, not a test_hmm ioctl), faulting as `device-read`; `= OLD...`"
     " checks the values before. Over a P2P entry whose link lacks `atomics` the page "
     "falls back to host memory"},
    {"read-begin", "MIRROR SEQ", STEP_BEGIN, 0, NULL, NULL, exec_read_begin,
     "`mmu_interval_read_begin()`; the sequence SEQ keeps it, and starts a fresh set of "
     "pfns (none of an earlier pass)"},
    {"range-fault", "MIRROR SEQ ADDR PAGES FLAGS [on-busy restart|retry [max N]]", R | STEP_BUSY,
     MAX_STEP_PAGES, NULL, NULL, exec_range_fault,
     "`hmm_range_fault()` under `mmap_read_lock()` with SEQ's notifier sequence "
     "(`hs_dmirror_range_fault_flags()`); FLAGS `fault`, `fault|write` "
     "(`HMM_PFN_REQ_FAULT`, `_WRITE`) or `nofault`, each may add `|p2p`: "
     "`HMM_PFN_ALLOW_P2P` in `default_flags`, naming the mirror's device as "
     "`p2p_requester` when the mirror was declared `p2p requester` (else none: the RFC's "
     "v1); another device's private page then comes back as the BAR page its exporter's "
     "`get_p2p_page()` gives, unfaulted. The words in any order, each once; `p2p` needs "
     "the mirror's device `at PORT`. The pfns are kept in SEQ; at most 64 pages. On "
     "`-EBUSY`: `on-busy restart` goes back to SEQ's `read-begin` (a new sequence), "
     "`on-busy retry` calls again with the same one (the bug of reusing an old "
     "`mmu_interval_read_begin()` result: `-EBUSY` for ever once it is stale); `max N`: "
     "the N+1st `-EBUSY` in a row is the step's result"},
    {"lock", "MIRROR", 0, 0, NULL, NULL, exec_lock,
     "`mutex_lock(&dmirror->mutex)`, the lock the invalidate callback takes"},
    {"unlock", "MIRROR", 0, 0, NULL, NULL, exec_unlock, "`mutex_unlock()`"},
    {"read-retry", "MIRROR SEQ on-fail ACTION", 0, 0, NULL, NULL, exec_read_retry,
     "`mmu_interval_read_retry()`; when an invalidation ran since `read-begin`: `unlock-"
     "restart` (unlock, start again, the correct driver), `restart` (start again), "
     "`ignore` (go on: a buggy driver), `fail` (an `assertion` violation)"},
    {"program", "MIRROR SEQ", R, 0, NULL, check_program, exec_program,
     "`dmirror_do_fault()`: program the mirror from SEQ's pfns (the lock must be held: "
     "`lock-not-held` otherwise); P2P pfns are DMA-mapped first, all of them, for the "
     "access the range-fault asked for (`pci_p2pdma_state()` and the link): `-EREMOTEIO` "
     "when one cannot be, and nothing is programmed; `-EFAULT` at a pfn that is not valid"},
    {"device-read-mirror", "MIRROR ADDR PAGES [= V...]", R, MAX_STEP_PAGES, NULL, NULL,
     exec_mirror_read,
     "`dmirror_do_read()`: read through the mirror only, never faulting; each page checked"
     " by the coherence oracle; `-ENOENT` at the first page not mirrored. Takes the lock "
     "around itself unless the thread holds it"},
    {"device-write-mirror", "MIRROR ADDR PAGES V", R, MAX_STEP_PAGES, NULL, NULL, exec_mirror_write,
     "`dmirror_do_write()` of V, V+1, ..., the same way"},
    {"signal", "FLAG", 0, 0, NULL, check_signal, exec_signal, "`smp_store_release(&flag, 1)`"},
    {"wait", "FLAG", 0, 0, check_wait, NULL, exec_wait,
     "poll until the flag is set (`smp_load_acquire`, yielding); some step must signal it"},
    {"yield", "", 0, 0, NULL, NULL, exec_yield,
     "a scheduling point where others run first (`cond_resched()`)"},
    {"check-data", "PROC ADDR PAGES", 0, 0, NULL, NULL, exec_check_data,
     "the data oracle now, over those pages"},
    {"check-entry", "MIRROR ADDR none|ram|device|p2p|p2p-bus", 0, 0, NULL, NULL, exec_check_entry,
     "what the mirror maps at ADDR now (`hs_dmirror_mirror_entry()`): nothing, a RAM page,"
     " a device-private page, a BAR page (`p2p`: however it was DMA-mapped; `p2p-bus`: by "
     "bus address, `HMM_PFN_P2PDMA_BUS`); an `assertion` otherwise. Takes the mirror's "
     "lock: not while the thread holds it"},
    {"check-lost", "DEVICE", 0, 0, NULL, NULL, exec_check_lost,
     "after a `surprise` unplug: report the accesses that reached the gone device and the "
     "data lost with it as one `lost-access` violation (`hs_dmirror_device_check_lost()`);"
     " put it last"},
    {"check-unplugged", "DEVICE", 0, 0, NULL, NULL, exec_check_unplugged,
     "after an `unplug`: an `assertion` unless none of the device's pages is in use "
     "(`hs_dmirror_device_pages_in_use()`) and its BAR is released "
     "(`hs_pci_p2pmem_available()` is 0), what the built-in p2p-unplug-* scenarios check "
     "once their threads are done"},
    {"check-leaks", "", 0, 0, NULL, NULL, exec_check_leaks,
     "the leak oracle now: every page not free is referenced by something "
     "(`hs_machine_check_leaks()`)"},
    /* fork, device-exclusive access, pins (issue 13) */
    {"fork", "PROC CHILD", R, 0, NULL, check_fork, exec_fork,
     "`fork()`: `dup_mm()` of PROC into CHILD, a process declared `process CHILD fork-of "
     "PROC` (model/fork.c): an `MMU_NOTIFY_PROTECTION_PAGE` invalidation of each private "
     "VMA, anonymous ptes write-protected in both (COW), writable device-private entries "
     "made readable in both, device-exclusive entries restored first (`-EBUSY` while a "
     "grant holds the page locked), then CHILD's mirrors are opened. Once per child, not in"
     " a repeat; CHILD and its mirrors may be used after it in the same block, and in "
     "`final`"},
    {"device-exclusive", "MIRROR ADDR PAGES [= V...]", R, MAX_STEP_PAGES, NULL, NULL,
     exec_device_exclusive,
     "`HMM_DMIRROR_EXCLUSIVE`: `dmirror_exclusive()`: under `mmap_read_lock()` each page "
     "`make_device_exclusive()` (`MMU_NOTIFY_EXCLUSIVE`, a device-exclusive entry, the "
     "folio returned locked), mapped atomic in the mirror (`dmirror_atomic_map()`), the "
     "folio unlocked and put (not with `bug MIRROR exclusive-no-unlock`); then the device "
     "reads the range; `= V...` checks what it read; at most 64 pages"},
    {"check-exclusive", "MIRROR ADDR PAGES", R, 0, NULL, NULL, exec_check_exclusive,
     "`HMM_DMIRROR_CHECK_EXCLUSIVE`: `dmirror_check_atomic()`: `-EPERM` while a page of "
     "the range is still mapped atomic in the mirror (the CPU has not taken it back)"},
    {"pin", "PROC ADDR [PAGES] [longterm]", R, MAX_STEP_PAGES, NULL, NULL, exec_pin,
     "`pin_user_pages(FOLL_WRITE)` (`FOLL_LONGTERM` with `longterm`): faults each page in "
     "writable (a device-private page migrates back to RAM) and pins it "
     "(`GUP_PIN_COUNTING_BIAS`: migration refuses it); the thread keeps the pins until "
     "its `unpin`; at most 64 pages per thread"},
    {"unpin", "PROC ADDR [PAGES]", 0, MAX_STEP_PAGES, NULL, NULL, exec_unpin,
     "`unpin_user_pages()` of pages this thread pinned at those addresses (an `assertion` "
     "for a page it did not pin)"},
    {"repeat", "N", STEP_THREAD_ONLY | STEP_REPEAT, 0, NULL, check_repeat, exec_repeat,
     "run the steps up to the matching `end` N times (1..1000), nested at most 4 deep; "
     "threads only"},
    {"end", "", STEP_THREAD_ONLY | STEP_END, 0, NULL, check_end, exec_end,
     "closes the innermost `repeat`"},
};

#undef R

const unsigned int sc_step_table_len = sizeof(sc_step_table) / sizeof(sc_step_table[0]);

const struct step_def *sc_step_lookup(const char *s, int len)
{
	for (unsigned int i = 0; i < sc_step_table_len; i++)
		if ((size_t)len == strlen(sc_step_table[i].name) &&
		    memcmp(s, sc_step_table[i].name, (size_t)len) == 0)
			return &sc_step_table[i];
	return NULL;
}

bool hs_scenario_step_doc(unsigned int i, const char **name, const char **grammar, const char **doc)
{
	if (i >= sc_step_table_len)
		return false;
	*name = sc_step_table[i].name;
	*grammar = sc_step_table[i].grammar;
	*doc = sc_step_table[i].doc;
	return true;
}

/* ---- the actions of a scripted invalidate callback (callback MIRROR) ---------------- */

const struct cb_def sc_cb_table[] = {
    {"lock", HS_DMIRROR_CB_LOCK,
     "`mutex_lock(&dmirror->mutex)`; `mutex_trylock()` when the range is not blockable, "
     "the callback returning false when it fails, as the reference does; taking it twice "
     "is a `deadlock`"},
    {"set-seq", HS_DMIRROR_CB_SET_SEQ,
     "`mmu_interval_set_seq(mni, cur_seq)`: faults that read the sequence before fail "
     "their `read-retry`"},
    {"clear", HS_DMIRROR_CB_CLEAR,
     "`dmirror_do_update()`: drop the mirror's entries of the range; it needs the lock (a "
     "`lock-not-held` violation without it)"},
    {"unlock", HS_DMIRROR_CB_UNLOCK,
     "`mutex_unlock()`; an `assertion` when the callback does not hold it, and so is a "
     "callback that returns holding it"},
    {"return", HS_DMIRROR_CB_RETURN, "return now (true): the actions after it do not run"},
};

const unsigned int sc_cb_table_len = sizeof(sc_cb_table) / sizeof(sc_cb_table[0]);

bool hs_scenario_callback_doc(unsigned int i, const char **name, const char **doc)
{
	if (i >= sc_cb_table_len)
		return false;
	*name = sc_cb_table[i].name;
	*doc = sc_cb_table[i].doc;
	return true;
}
