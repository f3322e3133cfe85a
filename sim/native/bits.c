// SPDX-License-Identifier: MIT
/*
 * The bit operations of sim_bits_t (include/hmmsim/atomic.h) on the native
 * backend: the atomics they name, each through native.c's primitive of the
 * same kind (one jitter point, as before the word had its own type).  The
 * per-bit dependence they announce only matters to the deterministic engine.
 */
#include <hmmsim/sim.h>

unsigned long sim_bits_load_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo, const char *name,
			       const char *site)
{
	return (unsigned long)sim_atomic_load_at(&w->word, mo, name, site) & mask;
}

unsigned long sim_bits_fetch_or_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo,
				   const char *name, const char *site)
{
	return (unsigned long)sim_atomic_fetch_or_at(&w->word, (long)mask, mo, name, site) & mask;
}

unsigned long sim_bits_fetch_andnot_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo,
				       const char *name, const char *site)
{
	return (unsigned long)sim_atomic_fetch_and_at(&w->word, ~(long)mask, mo, name, site) & mask;
}

void sim_bits_set_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo, const char *name,
		     const char *site)
{
	sim_atomic_or_at(&w->word, (long)mask, mo, name, site);
}

/* A store's compare-and-exchange with @mo's release half as a constant order
 * (as native.c's MO_DISPATCH: a run-time order would compile as seq_cst). */
static bool store_cas(sim_atomic_t *a, long *old, long nw, enum sim_mo mo)
{
	switch (mo) {
	case SIM_RELAXED:
	case SIM_ACQUIRE:
		return __atomic_compare_exchange_n(&a->v, old, nw, false, __ATOMIC_RELAXED,
						   __ATOMIC_RELAXED);
	case SIM_RELEASE:
	case SIM_ACQ_REL:
		return __atomic_compare_exchange_n(&a->v, old, nw, false, __ATOMIC_RELEASE,
						   __ATOMIC_RELAXED);
	default:
		return __atomic_compare_exchange_n(&a->v, old, nw, false, __ATOMIC_SEQ_CST,
						   __ATOMIC_SEQ_CST);
	}
}

/* A compare-and-exchange loop keeps the bits outside @mask; its first load is
 * the primitive (the jitter point), a retry (another thread changed the word
 * in between) is not one. */
void sim_bits_store_at(sim_bits_t *w, unsigned long v, unsigned long mask, enum sim_mo mo,
		       const char *name, const char *site)
{
	long old = sim_atomic_load_at(&w->word, SIM_RELAXED, name, site);
	long nw;

	if (v & ~mask)
		sim_fail(SIM_KIND_ENGINE, "%s: store of %#lx to %s: bits outside its mask %#lx",
			 site, v, name, mask);
	do
		nw = (old & ~(long)mask) | (long)v;
	while (!store_cas(&w->word, &old, nw, mo));
}

void sim_note_bits_at(const sim_bits_t *w, unsigned long mask, bool write, const char *name,
		      const char *site)
{
	(void)name;
	(void)site;
	(void)w;
	(void)mask;
	(void)write;
}
