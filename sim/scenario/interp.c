// SPDX-License-Identifier: MIT
/*
 * Scenario files, the interpreter (as SQLite's vdbe.c runs a prepared
 * statement): the scenario's main() builds the model from the program in
 * every execution (sim_alloc memory) and runs the blocks, init in thread 0,
 * each thread block in its own simulated thread, final after they are
 * joined, then the data oracle over every declared VMA.  Each step is run by
 * its row's handler in the step table (steps.c).
 *
 * Nothing here depends on host addresses or time: the program is read-only
 * during executions and every decision depends on it and on what the model
 * returns, so executions stay deterministic and replayable.  Every loop is
 * bounded: by the file's limits at load time, by a per-thread budget of
 * executed steps at run time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "scenario_int.h"

void sc_step_fail(struct thr *t, const struct step *s, const char *kind, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_fail(kind, "%s:%d: %s: %s", t->x->p->base, s->line, s->text, msg);
}

/* The step's result against what the file expects; true when it succeeded. */
bool sc_check_ret(struct thr *t, const struct step *s, int ret)
{
	char a[24], b[24];

	t->failed = ret != 0;
	if (s->check == CHK_ZERO && ret)
		sc_step_fail(t, s, SIM_KIND_ASSERT, "returned %s (%s)",
			     sc_errname(ret, a, sizeof(a)),
			     (s->def->flags & STEP_BUSY) && ret == -EBUSY
				 ? (s->busy_max ? "its on-busy retries are spent: add on-error"
						: "on-busy restart starts again from read-begin")
				 : "add may-fail if it may");
	if (s->check == CHK_ERR && ret != s->err)
		sc_step_fail(t, s, SIM_KIND_ASSERT, "returned %s, expected %s",
			     sc_errname(ret, a, sizeof(a)), sc_errname(s->err, b, sizeof(b)));
	return ret == 0;
}

void sc_check_values(struct thr *t, const struct step *s, const unsigned long *v, unsigned long n)
{
	for (unsigned long i = 0; s->nvals && i < n; i++) {
		unsigned long want = s->nvals == 1 ? s->vals[0] + i : s->vals[i];
		if (v[i] != want)
			sc_step_fail(t, s, SIM_KIND_ASSERT, "read %#lx at %#lx, expected %#lx",
				     v[i], s->addr + i * PG, want);
	}
}

/* Run one step; return the index of the next.  The parser lets a hotplug
 * device (and its mirrors) be named only after its plug step. */
static int exec_step(struct thr *t, const struct step *s, int pc)
{
	if (s->objkind == OBJ_MIRROR && !t->x->mir[s->obj])
		sc_step_fail(t, s, SIM_KIND_ASSERT,
			     t->x->mm[t->x->p->mir[s->obj].proc]
				 ? "the mirror's device is not plugged"
				 : "the mirror's process is not forked yet");
	if (s->objkind == OBJ_PROC && !t->x->mm[s->obj])
		sc_step_fail(t, s, SIM_KIND_ASSERT, "the process is not forked yet");
	if (s->objkind == OBJ_DEVICE && !(s->def->flags & STEP_PLUG) && !t->x->dev[s->obj])
		sc_step_fail(t, s, SIM_KIND_ASSERT, "the device is not plugged");
	t->failed = false;
	pc = s->def->exec(t, s, pc);
	if (!t->failed)
		return pc;
	switch (s->on_error) {
	case ONERR_STOP:
		/* the driver returns the error: its error path unlocks */
		for (int i = 0; i < t->x->p->nmir; i++)
			if (t->locks & (1u << i))
				hs_dmirror_unlock(t->x->mir[i]);
		t->locks = 0;
		return t->b->nsteps;
	case ONERR_RESTART:
		if (t->locks & (1u << s->obj)) {
			hs_dmirror_unlock(t->x->mir[s->obj]);
			t->locks &= ~(1u << s->obj);
		}
		sim_yield();
		return s->target;
	default:
		return pc;
	}
}

static void run_block(struct thr *t)
{
	const struct hs_program *p = t->x->p;
	const struct block *b = t->b;

	for (int pc = 0; pc < b->nsteps;) {
		const struct step *s = &b->steps[pc];
		if (++t->run > MAX_RUN)
			sc_step_fail(t, s, SIM_KIND_LIVELOCK, "thread %s ran %lu steps", t->name,
				     MAX_RUN);
		if (sim_tracing() && !(s->def->flags & STEP_END))
			sim_event("%s:%d %s", p->base, s->line, s->text);
		pc = exec_step(t, s, pc);
	}
	for (int i = 0; i < p->nmir; i++)
		if (t->locks & (1u << i))
			sim_fail(SIM_KIND_ASSERT, "%s: thread %s ends holding the lock of %s",
				 p->base, t->name, p->mir[i].name);
}

static struct thr *thr_new(struct exec *x, const struct block *b, const char *name)
{
	struct thr *t = sim_alloc(sizeof(*t));
	t->x = x;
	t->b = b;
	t->name = name;
	t->seq = b->nseq ? sim_alloc((size_t)b->nseq * sizeof(*t->seq)) : NULL;
	return t;
}

static void thread_fn(void *arg)
{
	run_block(arg);
}

/* The port's struct pci_dev. */
static struct hs_pci_dev *port_dev(struct exec *x, int port)
{
	if (port < PORT_SWITCH)
		return x->rp[port];
	port -= PORT_SWITCH;
	return x->sw[port / HS_PCI_SWITCH_MAX_PORTS]->down[port % HS_PCI_SWITCH_MAX_PORTS];
}

/* memremap_pages() of the device, its PCI function bound (with a BAR over
 * its memory for an exporter). */
static void device_create(struct exec *x, int i)
{
	const struct device *d = &x->p->dev[i];

	x->dev[i] = d->coherent ? hs_dmirror_device_create_coherent(d->name, d->pages)
				: hs_dmirror_device_create(d->name, d->pages);
	if (d->p2p) {
		int ret = hs_dmirror_device_set_p2p(x->dev[i], x->pdev[i]);
		sim_check(ret == 0, "%s:%d: the BAR of %s: %d", x->p->base, d->line, d->name, ret);
	} else if (x->pdev[i]) {
		hs_dmirror_device_set_pci(x->dev[i], x->pdev[i]);
	}
}

static void device_set_owner(struct exec *x, int i)
{
	int c = x->p->dev[i].cluster;
	if (c >= 0)
		hs_dmirror_device_set_owner(x->dev[i], x->cl[c], x->key[c]);
}

static void mirror_open(struct exec *x, int i)
{
	const struct mirror *m = &x->p->mir[i];

	x->mir[i] = hs_dmirror_open(x->dev[m->dev], x->mm[m->proc]);
	if (m->p2p)
		hs_dmirror_set_allow_p2p(x->mir[i], m->requester);
	hs_dmirror_set_bug(x->mir[i], m->bug);
	if (m->scripted)
		hs_dmirror_script_init(x->mir[i]);
	if (m->cb_line)
		hs_dmirror_set_callback(x->mir[i], &m->cb);
}

/* plug: a hotplug device arrives, with its owner and its mirrors. */
void sc_device_plug(struct exec *x, int i)
{
	device_create(x, i);
	device_set_owner(x, i);
	for (int m = 0; m < x->p->nmir; m++)
		if (x->p->mir[m].dev == i && x->mm[x->p->mir[m].proc])
			mirror_open(x, m);
}

/* fork: the child's mirrors are opened (hmm_open() in the child), those of
 * devices present. */
void sc_process_forked(struct exec *x, int child)
{
	for (int m = 0; m < x->p->nmir; m++)
		if (x->p->mir[m].proc == child && x->dev[x->p->mir[m].dev])
			mirror_open(x, m);
}

void program_main(void *arg)
{
	const struct hs_program *p = arg;
	struct exec *x = sim_alloc(sizeof(*x));
	const char *const *swn = hs_switch_names();
	unsigned long dev_pages = 0;
	int tid[HS_SCENARIO_MAX_THREADS];

	x->p = p;
	/* the owner policy is global: set it in every execution, as the owner
	 * lab's SCENARIO@CONFIG does */
	if (p->owner_set) {
		hs_owner_policy = p->owner.policy;
		hs_owner_id_bits = p->owner.id_bits;
		hs_owner_flags = p->owner.flags;
	}
	for (int i = 0; i < p->nsw; i++)
		hs_switch_set(swn[p->sw[i]], true);
	for (int i = 0; i < p->ndev; i++) {
		/* pfns: device memory (a pagemap registered again takes new ones), BARs */
		dev_pages += p->dev[i].pages *
			     (p->owner_set && p->owner.policy == HS_OWNER_REREGISTER ? 4 : 1);
		if (p->dev[i].p2p)
			dev_pages += p->dev[i].pages;
	}
	hs_machine_init(p->ram, dev_pages);
	if (p->owner_set)
		hs_owner_lab_reset();
	for (int i = 0; i < p->nproc; i++) {
		const struct process *pr = &p->proc[i];
		if (pr->forked)
			continue; /* its fork step creates it */
		x->mm[i] = hs_mm_alloc(pr->name, pr->va, pr->swap);
		for (int v = 0; v < pr->nvma; v++) {
			const struct vma_decl *d = &pr->vma[v];
			int ret = hs_mmap(x->mm[i], d->start, d->npages * PG, d->flags);
			sim_check(ret == 0, "%s:%d: mmap of [%#lx,%#lx) failed: %d", p->base,
				  d->line, d->start, d->start + d->npages * PG, ret);
		}
	}
	/* the PCI topology, every device's function (hotplug ones too), the links */
	for (int i = 0; i < p->nhb; i++)
		x->hb[i] = hs_pci_host_bridge_add(p->hb[i].name, p->hb[i].flags);
	for (int i = 0; i < p->nrp; i++) {
		x->rp[i] = hs_pci_root_port_add(x->hb[p->rp[i].hb]);
		if (p->rp[i].acs)
			hs_pci_set_acs_redir(x->rp[i], true);
	}
	for (int i = 0; i < p->npsw; i++) {
		x->sw[i] = hs_pci_switch_add(port_dev(x, p->psw[i].parent),
					     (unsigned int)p->psw[i].nports);
		for (unsigned int k = 0; k < p->psw[i].nports; k++)
			if (p->psw[i].acs & (1u << k))
				hs_pci_set_acs_redir(x->sw[i]->down[k], true);
	}
	for (int i = 0; i < p->ndev; i++)
		if (p->dev[i].port >= 0)
			x->pdev[i] = hs_pci_device_add(port_dev(x, p->dev[i].port), p->dev[i].name);
	for (int i = 0; i < p->nlink; i++) {
		const struct link_decl *l = &p->link[i];
		int ret = hs_pci_link_set(x->pdev[l->a], x->pdev[l->b], l->flags);
		sim_check(ret == 0, "%s: link %s %s: %d", p->base, p->dev[l->a].name,
			  p->dev[l->b].name, ret);
	}
	/* the devices present from the start, then the clusters' keys (in the
	 * order they were named; under cluster-id each device took an id too),
	 * the owners, the grants, the mirrors */
	for (int i = 0; i < p->ndev; i++)
		if (!p->dev[i].hotplug)
			device_create(x, i);
	for (int i = 0; i < p->ncl; i++) {
		for (unsigned long k = 0; k < p->cl[i].skip; k++)
			(void)hs_owner_key(sim_alloc(8)); /* clusters that came and went */
		x->cl[i] = sim_alloc(8);
		x->key[i] = hs_owner_key(x->cl[i]);
	}
	for (int i = 0; i < p->ndev; i++)
		if (!p->dev[i].hotplug)
			device_set_owner(x, i);
	for (int i = 0; i < p->ngrant; i++)
		hs_dmirror_device_grant(x->dev[p->grant[i][0]], x->dev[p->grant[i][1]]);
	for (int i = 0; i < p->nmir; i++)
		if (!p->dev[p->mir[i].dev].hotplug && x->mm[p->mir[i].proc])
			mirror_open(x, i);
	if (p->init.nsteps)
		run_block(thr_new(x, &p->init, "main"));
	for (int i = 0; i < p->nthread; i++)
		tid[i] = sim_thread_spawn(p->thread[i].name, thread_fn,
					  thr_new(x, &p->thread[i], p->thread[i].name));
	for (int i = 0; i < p->nthread; i++)
		sim_thread_join(tid[i]);
	if (p->final.nsteps)
		run_block(thr_new(x, &p->final, "main"));
	/* the data oracle over every declared VMA, unless the file says no-check-data */
	for (int i = 0; i < p->nproc && !p->no_check_data_line; i++)
		for (int v = 0; v < p->proc[i].nvma && x->mm[i]; v++) {
			const struct vma_decl *d = &p->proc[i].vma[v];
			hs_mm_check_data(x->mm[i], d->start, d->start + d->npages * PG);
		}
}
