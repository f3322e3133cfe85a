// SPDX-License-Identifier: MIT
/*
 * Scenario files, the directives: the setup lines (machine, process, vma,
 * device, mirror, bug, switch, the PCI topology, clusters, owner policy,
 * grants, init) and the later ones (thread, final, expect, explore,
 * step-bound, no-check-data), each parsed into struct hs_program.  A line
 * that is no directive is a step of the open thread block (parser.c).
 */
#include <stdio.h>
#include <string.h>

#include "scenario_int.h"

static const struct {
	const char *name;
	enum hs_dmirror_bug bug;
} bugnames[] = {
    {"ok", HS_DMIRROR_OK},
    {"noretry", HS_DMIRROR_BUG_NO_RETRY},
    {"unlocked-retry", HS_DMIRROR_BUG_RETRY_UNLOCKED},
    {"skip-own-migrate", HS_DMIRROR_BUG_SKIP_OWN_MIGRATE},
    {"ebusy-fatal", HS_DMIRROR_BUG_EBUSY_FATAL},
    {"lock-page-under-mutex", HS_DMIRROR_BUG_LOCK_PAGE_UNDER_MUTEX},
    {"release-no-wait", HS_DMIRROR_BUG_RELEASE_NO_WAIT},
    {"exclusive-no-unlock", HS_DMIRROR_BUG_EXCLUSIVE_NO_UNLOCK},
    {"exclusive-unlock-early", HS_DMIRROR_BUG_EXCLUSIVE_UNLOCK_EARLY},
    {"nonblock-skip", HS_DMIRROR_BUG_NONBLOCK_SKIP},
};

static const char *const kinds[] = {
    SIM_KIND_ASSERT,	 SIM_KIND_DEADLOCK,    SIM_KIND_LIVELOCK,      SIM_KIND_DATA_RACE,
    SIM_KIND_LOCK_ORDER, SIM_KIND_MIGHT_SLEEP, SIM_KIND_LOCK_NOT_HELD, HS_KIND_UAF,
    HS_KIND_REFCOUNT,	 HS_KIND_BUG,	       HS_KIND_COHERENCE,      HS_KIND_DATA_LOSS,
    HS_KIND_LEAK,	 HS_KIND_WRONG_OWNER,  HS_KIND_LOST_ACCESS,    SIM_KIND_LOCK,
    SIM_KIND_RCU,
};

static bool parse_machine(struct parser *P)
{
	struct hs_program *p = P->p;
	int col = sc_col_here(P);

	if (p->ram_line)
		return sc_perr(P, col, "expected one machine line, got a second (line %d)",
			       p->ram_line);
	if (!sc_want(P, "ram") ||
	    !sc_get_num(P, "a number of RAM pages", MIN_RAM, MAX_RAM, &p->ram))
		return false;
	p->ram_line = P->line;
	return sc_want_eol(P);
}

static bool parse_process(struct parser *P)
{
	struct hs_program *p = P->p;
	struct process *pr = &p->proc[p->nproc];

	if (p->nproc == MAX_PROCS)
		return sc_perr(P, sc_col_here(P), "expected at most %d processes, got %s",
			       MAX_PROCS, sc_got(P));
	memset(pr, 0, sizeof(*pr));
	pr->swap = DEFAULT_SWAP;
	if (!sc_get_new_name(P, "process", pr->name))
		return false;
	if (sc_at(P, "fork-of")) {
		/* a child a fork step creates: the parent's size, swap and VMAs */
		P->i++;
		if (!sc_get_ref(P, REF_PROC, &pr->parent))
			return false;
		const struct process *par = &p->proc[pr->parent];
		pr->forked = true;
		pr->va = par->va;
		pr->swap = par->swap;
		pr->nvma = par->nvma;
		memcpy(pr->vma, par->vma, sizeof(pr->vma));
		if (!p->proc[pr->parent].child_line)
			p->proc[pr->parent].child_line = P->line;
		if (!sc_want_eol(P))
			return false;
		pr->line = P->line;
		p->nproc++;
		return true;
	}
	if (!sc_want(P, "va"))
		return false;
	int col = sc_col_here(P);
	char size[96];
	snprintf(size, sizeof(size), "%s", sc_got(P));
	if (!sc_get_size(P, "an address-space size", PG, MAX_VA, &pr->va))
		return false;
	if (pr->va & (PG - 1))
		return sc_perr(P, col,
			       "expected an address-space size that is a multiple of 4K, got %s",
			       size);
	if (sc_at(P, "swap")) {
		P->i++;
		if (!sc_get_num(P, "a number of swap slots", 0, MAX_SWAP, &pr->swap))
			return false;
	}
	if (!sc_want_eol(P))
		return false;
	pr->line = P->line;
	p->nproc++;
	return true;
}

static bool parse_vma(struct parser *P)
{
	struct hs_program *p = P->p;
	int proc, col;
	unsigned long start, npages;
	unsigned int prot;

	if (!sc_get_ref(P, REF_PROC, &proc))
		return false;
	struct process *pr = &p->proc[proc];
	col = sc_col_here(P);
	if (pr->forked)
		return sc_perr(
		    P, P->t[P->i - 1].col,
		    "expected a process that is not fork-of another, got %s (a child has "
		    "its parent's VMAs)",
		    pr->name);
	if (pr->child_line)
		return sc_perr(
		    P, P->t[P->i - 1].col,
		    "expected the VMAs of %s before the processes forked from it (line %d)",
		    pr->name, pr->child_line);
	const struct tok *t = sc_peek(P);
	if (!t || !sc_num_parse(t, &start))
		return sc_perr(P, col, "expected an address, got %s", sc_got(P));
	if (start & (PG - 1))
		return sc_perr(P, col, "expected a page-aligned address, got %s", sc_got(P));
	if (start >= pr->va)
		return sc_perr(P, col, "expected an address below the size of %s (%#lx), got %s",
			       pr->name, pr->va, sc_got(P));
	P->i++;
	if (!sc_get_num(P, "a page count", 1, MAX_VA / PG, &npages))
		return false;
	if (npages > (pr->va - start) / PG)
		return sc_perr(P, P->t[P->i - 1].col,
			       "expected a VMA inside the address space of %s (%#lx bytes), got "
			       "[%#lx,%#lx)",
			       pr->name, pr->va, start, start + npages * PG);
	for (int v = 0; v < pr->nvma; v++) {
		const struct vma_decl *o = &pr->vma[v];
		if (start < o->start + o->npages * PG && o->start < start + npages * PG)
			return sc_perr(P, col,
				       "expected a VMA that overlaps no other, got [%#lx,%#lx) "
				       "overlapping [%#lx,%#lx) of line %d",
				       start, start + npages * PG, o->start,
				       o->start + o->npages * PG, o->line);
	}
	if (pr->nvma == MAX_VMAS)
		return sc_perr(P, col, "expected at most %d VMAs in %s, got more", MAX_VMAS,
			       pr->name);
	if (!sc_get_prot(P, &prot))
		return false;
	if (sc_at(P, "shared")) {
		prot |= HS_VM_SHARED;
		P->i++;
	}
	if (sc_at(P, "huge")) { /* madvise(MADV_HUGEPAGE) at mmap time */
		prot |= HS_VM_HUGEPAGE;
		P->i++;
	}
	if (!sc_want_eol(P))
		return false;
	pr->vma[pr->nvma++] = (struct vma_decl){start, npages, prot, P->line};
	return true;
}

static bool get_port(struct parser *P, int *port);

static bool parse_device(struct parser *P)
{
	struct hs_program *p = P->p;
	struct device *d = &p->dev[p->ndev];

	if (p->ndev == MAX_DEVICES)
		return sc_perr(P, sc_col_here(P), "expected at most %d devices, got %s",
			       MAX_DEVICES, sc_got(P));
	memset(d, 0, sizeof(*d));
	d->port = d->cluster = -1;
	if (!sc_get_new_name(P, "device", d->name) || !sc_want(P, "pages") ||
	    !sc_get_num(P, "a number of device pages", 1, MAX_DEV_PAGES, &d->pages))
		return false;
	/* [at PORT [p2p]] [owner CLUSTER] [hotplug], in any order, each once */
	while (P->i < P->n) {
		int col = sc_col_here(P);
		if (sc_at(P, "at") && d->port < 0) {
			P->i++;
			if (!get_port(P, &d->port))
				return false;
		} else if (sc_at(P, "p2p") && d->port >= 0 && !d->p2p && !d->coherent) {
			d->p2p = true;
			P->i++;
		} else if (sc_at(P, "owner") && d->cluster < 0) {
			P->i++;
			if (!sc_get_cluster(P, &d->cluster))
				return false;
		} else if (sc_at(P, "hotplug") && !d->hotplug) {
			d->hotplug = true;
			P->i++;
		} else if (sc_at(P, "coherent") && !d->coherent && !d->p2p) {
			d->coherent = true;
			P->i++;
		} else {
			return sc_perr(
			    P, col,
			    "expected at PORT, p2p (after at), owner CLUSTER, hotplug, coherent "
			    "(not with p2p) or end of line, each once, got %s",
			    sc_got(P));
		}
	}
	d->line = P->line;
	p->ndev++;
	return true;
}

static bool parse_mirror(struct parser *P)
{
	struct hs_program *p = P->p;
	struct mirror *m = &p->mir[p->nmir];

	if (p->nmir == MAX_MIRRORS)
		return sc_perr(P, sc_col_here(P), "expected at most %d mirrors, got %s",
			       MAX_MIRRORS, sc_got(P));
	memset(m, 0, sizeof(*m));
	if (!sc_get_new_name(P, "mirror", m->name) || !sc_get_ref(P, REF_DEV, &m->dev) ||
	    !sc_get_ref(P, REF_PROC, &m->proc))
		return false;
	if (sc_at(P, "p2p")) {
		if (p->dev[m->dev].port < 0)
			return sc_perr(
			    P, sc_col_here(P),
			    "expected end of line, got 'p2p' (device %s has no PCI function: "
			    "declare it with at PORT)",
			    p->dev[m->dev].name);
		m->p2p = true;
		P->i++;
		if (sc_at(P, "requester")) {
			m->requester = true;
			P->i++;
		}
	}
	if (!sc_want_eol(P))
		return false;
	m->line = P->line;
	p->nmir++;
	return true;
}

static bool parse_bug(struct parser *P)
{
	struct hs_program *p = P->p;
	int mi, col;

	if (!sc_get_ref(P, REF_MIR, &mi))
		return false;
	col = sc_col_here(P);
	if (p->mir[mi].bug_line)
		return sc_perr(P, col, "expected one bug line for %s, got a second (line %d)",
			       p->mir[mi].name, p->mir[mi].bug_line);
	for (size_t i = 0; i < sizeof(bugnames) / sizeof(bugnames[0]); i++)
		if (sc_at(P, bugnames[i].name)) {
			P->i++;
			p->mir[mi].bug = bugnames[i].bug;
			p->mir[mi].bug_line = P->line;
			return sc_want_eol(P);
		}
	return sc_perr(P, col,
		       "expected a driver bug (ok, noretry, unlocked-retry, skip-own-migrate, "
		       "ebusy-fatal, lock-page-under-mutex, release-no-wait, exclusive-no-unlock, "
		       "exclusive-unlock-early, nonblock-skip), "
		       "got %s",
		       sc_got(P));
}

static bool parse_switch(struct parser *P)
{
	struct hs_program *p = P->p;
	const char *const *names = hs_switch_names();
	int col = sc_col_here(P);

	for (int i = 0; names[i]; i++)
		if (sc_at(P, names[i])) {
			for (int j = 0; j < p->nsw; j++)
				if (p->sw[j] == i)
					return sc_perr(P, col,
						       "expected a switch not yet named, got %s",
						       sc_got(P));
			if (p->nsw == (int)(sizeof(p->sw) / sizeof(p->sw[0])))
				return sc_perr(P, col, "expected fewer switch lines, got %s",
					       sc_got(P));
			p->sw[p->nsw++] = i;
			P->i++;
			return sc_want_eol(P);
		}
	char list[400];
	size_t used = 0;
	list[0] = 0;
	for (int i = 0; names[i] && used + 1 < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return sc_perr(P, col, "expected a switch (%s), got %s", list, sc_got(P));
}

/* "rp0, sw0.0..sw0.3" for messages. */
static void list_ports(const struct hs_program *p, char *buf, size_t len)
{
	size_t used = 0;
	int w;

	buf[0] = 0;
	for (int i = 0; i < p->nrp + p->npsw && used + 1 < len; i++) {
		if (i < p->nrp)
			w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", p->rp[i].name);
		else
			w = snprintf(buf + used, len - used, "%s%s.0..%s.%lu", i ? ", " : "",
				     p->psw[i - p->nrp].name, p->psw[i - p->nrp].name,
				     p->psw[i - p->nrp].nports - 1);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (!used)
		snprintf(buf, len, "none is declared yet");
}

static bool get_port(struct parser *P, int *port)
{
	char names[200];

	if ((*port = sc_find_port(P->p, sc_peek(P))) >= 0) {
		P->i++;
		return true;
	}
	list_ports(P->p, names, sizeof(names));
	return sc_perr(P, sc_col_here(P), "expected a port (%s), got %s", names, sc_got(P));
}

/* host-bridge NAME [allowlisted] [same-host-bridge] */
static bool parse_host_bridge(struct parser *P)
{
	struct hs_program *p = P->p;
	struct host_bridge *h = &p->hb[p->nhb];

	if (p->nhb == MAX_HOST_BRIDGES)
		return sc_perr(P, sc_col_here(P), "expected at most %d host bridges, got %s",
			       MAX_HOST_BRIDGES, sc_got(P));
	memset(h, 0, sizeof(*h));
	if (!sc_get_new_name(P, "host bridge", h->name))
		return false;
	if (sc_at(P, "allowlisted")) {
		h->flags |= HS_PCI_HB_WHITELISTED;
		P->i++;
	}
	if (sc_at(P, "same-host-bridge")) {
		h->flags |= HS_PCI_HB_REQ_SAME_HOST_BRIDGE;
		P->i++;
	}
	if (!sc_want_eol(P))
		return false;
	h->line = P->line;
	p->nhb++;
	return true;
}

/* root-port NAME HOST-BRIDGE */
static bool parse_root_port(struct parser *P)
{
	struct hs_program *p = P->p;
	struct root_port *r = &p->rp[p->nrp];
	const struct tok *t;

	if (p->nrp == MAX_ROOT_PORTS)
		return sc_perr(P, sc_col_here(P), "expected at most %d root ports, got %s",
			       MAX_ROOT_PORTS, sc_got(P));
	memset(r, 0, sizeof(*r));
	if (!sc_get_new_name(P, "root port", r->name))
		return false;
	t = sc_peek(P);
	r->hb = -1;
	for (int i = 0; t && i < p->nhb; i++)
		if (sc_tok_is(t, p->hb[i].name))
			r->hb = i;
	if (r->hb < 0)
		return sc_perr(P, sc_col_here(P), "expected a host bridge name%s, got %s",
			       p->nhb ? "" : " (none is declared yet)", sc_got(P));
	P->i++;
	if (!sc_want_eol(P))
		return false;
	r->line = P->line;
	p->nrp++;
	return true;
}

/* pci-switch NAME PORT N: downstream ports NAME.0 .. NAME.N-1 */
static bool parse_pci_switch(struct parser *P)
{
	struct hs_program *p = P->p;
	struct pci_switch *w = &p->psw[p->npsw];

	if (p->npsw == MAX_PCI_SWITCHES)
		return sc_perr(P, sc_col_here(P), "expected at most %d PCI switches, got %s",
			       MAX_PCI_SWITCHES, sc_got(P));
	memset(w, 0, sizeof(*w));
	if (!sc_get_new_name(P, "PCI switch", w->name) || !get_port(P, &w->parent) ||
	    !sc_get_num(P, "a number of downstream ports", 1, HS_PCI_SWITCH_MAX_PORTS,
			&w->nports) ||
	    !sc_want_eol(P))
		return false;
	w->line = P->line;
	p->npsw++;
	return true;
}

/* acs PORT: ACS P2P redirect on a root port or a switch downstream port */
static bool parse_acs(struct parser *P)
{
	struct hs_program *p = P->p;
	int port;

	if (!get_port(P, &port) || !sc_want_eol(P))
		return false;
	if (port < PORT_SWITCH) {
		p->rp[port].acs = true;
	} else {
		port -= PORT_SWITCH;
		p->psw[port / HS_PCI_SWITCH_MAX_PORTS].acs |= 1u
							      << (port % HS_PCI_SWITCH_MAX_PORTS);
	}
	return true;
}

/* A device with a PCI function (for link and grant). */
static bool get_pci_device(struct parser *P, int *d)
{
	int col = sc_col_here(P);

	if (!sc_get_ref(P, REF_DEV, d))
		return false;
	if (P->p->dev[*d].port < 0)
		return sc_perr(P, col,
			       "expected a device on the PCI topology (declared with at PORT), got "
			       "'%s'",
			       P->p->dev[*d].name);
	return true;
}

/* link A B r,w,atomics|none [one-way]: what A may do to B's memory peer-to-peer */
static bool parse_link(struct parser *P)
{
	struct hs_program *p = P->p;
	struct link_decl *l = &p->link[p->nlink];
	const struct tok *f;
	int col;

	if (p->nlink == MAX_LINKS)
		return sc_perr(P, sc_col_here(P), "expected at most %d links, got %s", MAX_LINKS,
			       sc_got(P));
	if (!get_pci_device(P, &l->a))
		return false;
	col = sc_col_here(P);
	if (!get_pci_device(P, &l->b))
		return false;
	if (l->a == l->b)
		return sc_perr(P, col, "expected a device other than %s, got '%s'",
			       p->dev[l->a].name, p->dev[l->b].name);
	f = sc_peek(P);
	l->flags = 0;
	bool ok = f != NULL;
	if (!sc_tok_is(f, "none"))
		for (int i = 0; ok && i < f->len;) {
			int j = i;
			while (j < f->len && f->s[j] != ',')
				j++;
			struct tok w = {f->s + i, j - i, 0};
			unsigned int bit = sc_tok_is(&w, "r")	      ? HS_PCI_LINK_READ
					   : sc_tok_is(&w, "w")	      ? HS_PCI_LINK_WRITE
					   : sc_tok_is(&w, "atomics") ? HS_PCI_LINK_ATOMICS
								      : 0;
			ok = bit && !(l->flags & bit) && !(j < f->len && j + 1 == f->len);
			l->flags |= bit;
			i = j + 1;
		}
	if (!ok)
		return sc_perr(P, sc_col_here(P),
			       "expected what the link carries (r, w, atomics joined by commas, or "
			       "none), got %s",
			       sc_got(P));
	P->i++;
	if (sc_at(P, "one-way")) {
		l->flags |= HS_PCI_LINK_ONE_WAY;
		P->i++;
	}
	if (!sc_want_eol(P))
		return false;
	p->nlink++;
	return true;
}

/* cluster NAME [skip N]: declared now, N ids allocated (and dropped) before its own */
static bool parse_cluster(struct parser *P)
{
	struct hs_program *p = P->p;
	struct cluster *c = &p->cl[p->ncl];

	if (p->ncl == MAX_CLUSTERS)
		return sc_perr(P, sc_col_here(P), "expected at most %d clusters, got %s",
			       MAX_CLUSTERS, sc_got(P));
	memset(c, 0, sizeof(*c));
	if (!sc_get_new_name(P, "cluster", c->name))
		return false;
	if (sc_at(P, "skip")) {
		P->i++;
		if (!sc_get_num(P, "a number of cluster ids to skip", 0, MAX_SKIP, &c->skip))
			return false;
	}
	if (!sc_want_eol(P))
		return false;
	c->line = P->line;
	p->ncl++;
	return true;
}

/* owner-policy NAME: a row of `hmmsim experiment owner` (hs_owner_config_parse) */
static bool parse_owner_policy(struct parser *P)
{
	struct hs_program *p = P->p;
	int col = sc_col_here(P);
	char name[TOK_LEN + 1];

	if (p->owner_line)
		return sc_perr(P, col, "expected one owner-policy line, got a second (line %d)",
			       p->owner_line);
	if (P->i < P->n) {
		memcpy(name, P->t[P->i].s, (size_t)P->t[P->i].len);
		name[P->t[P->i].len] = 0;
		if (hs_owner_config_parse(name, &p->owner) == 0) {
			P->i++;
			p->owner_set = true;
			p->owner_line = P->line;
			return sc_want_eol(P);
		}
	}
	char list[600];
	size_t used = 0, n;
	const struct hs_owner_config *cfg = hs_owner_experiment_all_configs(&n);
	list[0] = 0;
	for (size_t i = 0; i < n && used + 1 < sizeof(list); i++) {
		char b[48];
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
				 hs_owner_config_name(&cfg[i], b, sizeof(b)));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return sc_perr(P, col, "expected an owner policy (%s), got %s", list, sc_got(P));
}

/* grant EXPORTER IMPORTER: p2p-callback / range-callback grant the memory */
static bool parse_grant(struct parser *P)
{
	struct hs_program *p = P->p;
	int e, i, col = sc_col_here(P);

	if (p->ngrant == MAX_GRANTS)
		return sc_perr(P, col, "expected at most %d grants, got %s", MAX_GRANTS, sc_got(P));
	if (!sc_get_ref(P, REF_DEV, &e))
		return false;
	if (p->dev[e].hotplug)
		return sc_perr(P, col,
			       "expected a device present from the start, got '%s' (hotplug)",
			       p->dev[e].name);
	col = sc_col_here(P);
	if (!sc_get_ref(P, REF_DEV, &i))
		return false;
	if (p->dev[i].hotplug)
		return sc_perr(P, col,
			       "expected a device present from the start, got '%s' (hotplug)",
			       p->dev[i].name);
	if (!sc_want_eol(P))
		return false;
	p->grant[p->ngrant][0] = e;
	p->grant[p->ngrant][1] = i;
	p->ngrant++;
	return true;
}

/* init STEP / final STEP: one step of the init or final block. */
static bool parse_init_final(struct parser *P, bool final)
{
	struct hs_program *p = P->p;
	struct frame *top = final ? &P->final_top : &P->init_top;
	bool ok;

	P->blk = final ? &p->final : &p->init;
	P->frames[0] = *top;
	P->depth = 0;
	ok = sc_parse_step(P, false);
	*top = P->frames[0];
	P->blk = NULL;
	return ok;
}

static bool parse_thread(struct parser *P)
{
	struct hs_program *p = P->p;
	struct block *b = &p->thread[p->nthread];

	if (p->nthread == HS_SCENARIO_MAX_THREADS)
		return sc_perr(P, sc_col_here(P), "expected at most %d threads, got %s",
			       HS_SCENARIO_MAX_THREADS, sc_got(P));
	memset(b, 0, sizeof(*b));
	if (!sc_get_new_name(P, "thread", b->name) || !sc_want_eol(P))
		return false;
	b->line = P->line;
	p->nthread++;
	P->blk = b;
	P->depth = 0;
	sc_frame_reset(&P->frames[0]);
	return true;
}

static bool parse_expect(struct parser *P)
{
	struct hs_program *p = P->p;
	int col = sc_col_here(P);

	if (p->expect_line)
		return sc_perr(P, col, "expected one expect line, got a second (line %d)",
			       p->expect_line);
	if (sc_at(P, "clean")) {
		P->i++;
		p->expect[0] = 0;
	} else if (sc_at(P, "violation")) {
		P->i++;
		col = sc_col_here(P);
		size_t i;
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (sc_at(P, kinds[i]))
				break;
		if (i == sizeof(kinds) / sizeof(kinds[0]))
			return sc_perr(
			    P, col,
			    "expected a violation kind (assertion, deadlock, livelock, "
			    "data-race, lock-order, might-sleep, lock-not-held, "
			    "use-after-free, refcount, kernel-bug, coherence, data-loss, leak, "
			    "wrong-owner, lost-access), got %s",
			    sc_got(P));
		snprintf(p->expect, sizeof(p->expect), "%s", kinds[i]);
		P->i++;
	} else {
		return sc_perr(P, col, "expected clean or violation, got %s", sc_got(P));
	}
	p->expect_line = P->line;
	return sc_want_eol(P);
}

static bool parse_explore(struct parser *P)
{
	struct hs_program *p = P->p;
	struct hs_scenario_plan *pl = &p->plan;
	int col = sc_col_here(P);
	unsigned long v;

	if (p->explore_line)
		return sc_perr(P, col, "expected one explore line, got a second (line %d)",
			       p->explore_line);
	if (sc_at(P, "dfs")) {
		P->i++;
		pl->strategy = SIM_STRATEGY_DFS;
		pl->iterations = 0;
		pl->preemptions = 2;
		if (P->i < P->n) {
			if (!sc_get_num(P, "a preemption bound", 0, 64, &v))
				return false;
			pl->preemptions = (unsigned int)v;
		}
	} else if (sc_at(P, "pct") || sc_at(P, "random")) {
		pl->strategy = sc_at(P, "pct") ? SIM_STRATEGY_PCT : SIM_STRATEGY_RANDOM;
		P->i++;
		if (P->i < P->n && !sc_at(P, "depth")) {
			if (!sc_get_num(P, "a number of executions", 1, MAX_ITERATIONS, &v))
				return false;
			pl->iterations = v;
		}
		if (pl->strategy == SIM_STRATEGY_PCT && sc_at(P, "depth")) {
			P->i++;
			if (!sc_get_num(P, "a pct depth", 1, 16, &v))
				return false;
			pl->pct_depth = (unsigned int)v;
		}
	} else if (sc_at(P, "dpor")) {
		/* every execution up to reordering independent operations; N: at
		 * most N executions (docs/dpor.md) */
		P->i++;
		pl->strategy = SIM_STRATEGY_DPOR;
		pl->iterations = 0;
		if (P->i < P->n) {
			if (!sc_get_num(P, "a number of executions", 1, MAX_ITERATIONS, &v))
				return false;
			pl->iterations = v;
		}
	} else {
		return sc_perr(P, col, "expected pct, random, dfs or dpor, got %s", sc_got(P));
	}
	p->explore_line = P->line;
	return sc_want_eol(P);
}

static bool parse_step_bound(struct parser *P)
{
	struct hs_program *p = P->p;
	unsigned long v;

	if (p->step_bound_line)
		return sc_perr(P, sc_col_here(P),
			       "expected one step-bound line, got a second (line %d)",
			       p->step_bound_line);
	if (!sc_get_num(P, "a step bound", 1, MAX_STEP_BOUND, &v))
		return false;
	p->sc.step_bound = v;
	p->step_bound_line = P->line;
	return sc_want_eol(P);
}

/* no-check-data: the data oracle does not run at the end of an execution (a
 * surprise removal loses data by design; check-lost reports it) */
static bool parse_no_check_data(struct parser *P)
{
	struct hs_program *p = P->p;

	if (p->no_check_data_line)
		return sc_perr(P, P->t[P->i - 1].col,
			       "expected one no-check-data line, got a second (line %d)",
			       p->no_check_data_line);
	p->no_check_data_line = P->line;
	return sc_want_eol(P);
}

/* callback MIRROR: the mirror's invalidate callback is the action lines that
 * follow (hs_dmirror_set_callback()), none: a callback that does nothing */
static bool parse_callback(struct parser *P)
{
	struct hs_program *p = P->p;
	int mi, col = sc_col_here(P);

	if (!sc_get_ref(P, REF_MIR, &mi))
		return false;
	if (p->mir[mi].cb_line)
		return sc_perr(P, col, "expected one callback of %s, got a second (line %d)",
			       p->mir[mi].name, p->mir[mi].cb_line);
	if (!sc_want_eol(P))
		return false;
	p->mir[mi].cb_line = P->line;
	p->mir[mi].scripted = true;
	P->cb = mi;
	return true;
}

/* The events a callback action's condition may name, in the order of enum
 * hs_mmu_notifier_event; own-migrate: MIGRATE whose owner is this device's. */
static const char *const cb_events[] = {"unmap",	   "clear",	 "protection-vma",
					"protection-page", "soft-dirty", "release",
					"migrate",	   "exclusive"};

/* if|unless EVENT[|EVENT...] or own-migrate */
static bool parse_cb_condition(struct parser *P, struct hs_dmirror_cb_step *a)
{
	const struct tok *f;
	bool ok;

	a->negate = sc_at(P, "unless");
	P->i++;
	f = sc_peek(P);
	ok = f != NULL;
	if (sc_tok_is(f, "own-migrate")) {
		a->own = true;
		P->i++;
		return true;
	}
	for (int i = 0; ok && i < f->len;) {
		int j = i, e = -1;
		while (j < f->len && f->s[j] != '|')
			j++;
		struct tok w = {f->s + i, j - i, 0};
		for (int k = 0; k < (int)(sizeof(cb_events) / sizeof(cb_events[0])); k++)
			if (sc_tok_is(&w, cb_events[k]))
				e = k;
		ok = e >= 0 && !(a->events & (1u << e)) && !(j < f->len && j + 1 == f->len);
		if (ok)
			a->events |= 1u << e;
		i = j + 1;
	}
	if (!ok)
		return sc_perr(
		    P, sc_col_here(P),
		    "expected own-migrate or events (unmap, clear, protection-vma, "
		    "protection-page, soft-dirty, release, migrate, exclusive) joined by "
		    "|, got %s",
		    sc_got(P));
	P->i++;
	return true;
}

/* One action of the open callback block: ACTION [if|unless CONDITION]. */
static bool parse_cb_action(struct parser *P)
{
	struct hs_dmirror_callback *cb = &P->p->mir[P->cb].cb;
	struct hs_dmirror_cb_step a = {0};
	unsigned int i;

	for (i = 0; i < sc_cb_table_len; i++)
		if (sc_at(P, sc_cb_table[i].name))
			break;
	if (i == sc_cb_table_len)
		return sc_perr(
		    P, sc_col_here(P),
		    "expected a callback action (lock, set-seq, clear, unlock, return) or "
		    "a directive, got %s",
		    sc_got(P));
	if (cb->n == HS_DMIRROR_CB_MAX)
		return sc_perr(P, sc_col_here(P), "expected at most %d callback actions, got more",
			       HS_DMIRROR_CB_MAX);
	a.op = (unsigned char)sc_cb_table[i].op;
	P->i++;
	if ((sc_at(P, "if") || sc_at(P, "unless")) && !parse_cb_condition(P, &a))
		return false;
	if (!sc_want_eol(P))
		return false;
	cb->step[cb->n++] = a;
	return true;
}

static const char *const setup_words[] = {
    "machine", "process", "vma",	  "device",    "mirror",     "bug",
    "switch",  "init",	  "host-bridge",  "root-port", "pci-switch", "acs",
    "link",    "cluster", "owner-policy", "grant",     "callback"};
static const char *const later_words[] = {"thread",  "final",	   "expect",
					  "explore", "step-bound", "no-check-data"};

static bool is_word_of(const struct tok *t, const char *const *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sc_tok_is(t, w[i]))
			return true;
	return false;
}

bool sc_parse_line(struct parser *P)
{
	const struct tok *t = sc_peek(P);
	bool setup = is_word_of(t, setup_words, sizeof(setup_words) / sizeof(setup_words[0]));
	bool later = is_word_of(t, later_words, sizeof(later_words) / sizeof(later_words[0]));

	if (!setup && !later) {
		if (P->blk)
			return sc_parse_step(P, true);
		if (P->cb >= 0)
			return parse_cb_action(P);
		return sc_perr(
		    P, t->col,
		    "expected a directive (machine, process, vma, device, mirror, bug, "
		    "switch, host-bridge, root-port, pci-switch, acs, link, cluster, "
		    "owner-policy, grant, callback, init, thread, final, expect, explore, "
		    "step-bound, no-check-data), got %s",
		    sc_got(P));
	}
	P->cb = -1;
	if (!sc_close_thread(P))
		return false;
	if (setup && P->p->nthread)
		return sc_perr(P, t->col,
			       "expected a step or thread, final, expect, explore, step-bound, "
			       "no-check-data, got %s "
			       "(setup lines go before the first thread)",
			       sc_got(P));
	P->i++;
	if (sc_tok_is(t, "machine"))
		return parse_machine(P);
	if (sc_tok_is(t, "process"))
		return parse_process(P);
	if (sc_tok_is(t, "vma"))
		return parse_vma(P);
	if (sc_tok_is(t, "device"))
		return parse_device(P);
	if (sc_tok_is(t, "mirror"))
		return parse_mirror(P);
	if (sc_tok_is(t, "bug"))
		return parse_bug(P);
	if (sc_tok_is(t, "switch"))
		return parse_switch(P);
	if (sc_tok_is(t, "host-bridge"))
		return parse_host_bridge(P);
	if (sc_tok_is(t, "root-port"))
		return parse_root_port(P);
	if (sc_tok_is(t, "pci-switch"))
		return parse_pci_switch(P);
	if (sc_tok_is(t, "acs"))
		return parse_acs(P);
	if (sc_tok_is(t, "link"))
		return parse_link(P);
	if (sc_tok_is(t, "cluster"))
		return parse_cluster(P);
	if (sc_tok_is(t, "owner-policy"))
		return parse_owner_policy(P);
	if (sc_tok_is(t, "grant"))
		return parse_grant(P);
	if (sc_tok_is(t, "callback"))
		return parse_callback(P);
	if (sc_tok_is(t, "init"))
		return parse_init_final(P, false);
	if (sc_tok_is(t, "final"))
		return parse_init_final(P, true);
	if (sc_tok_is(t, "thread"))
		return parse_thread(P);
	if (sc_tok_is(t, "expect"))
		return parse_expect(P);
	if (sc_tok_is(t, "explore"))
		return parse_explore(P);
	if (sc_tok_is(t, "no-check-data"))
		return parse_no_check_data(P);
	return parse_step_bound(P);
}
