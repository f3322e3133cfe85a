/* SPDX-License-Identifier: MIT */
/*
 * hmmsim primitive API: atomics with an explicit memory order, marked
 * accesses (READ_ONCE / WRITE_ONCE) and annotated plain accesses of shared
 * fields.
 *
 * Each operation is a scheduling point placed *before* the access, so the
 * access itself happens when the thread is next chosen to run.  The name of
 * the object in reports is the text of the expression (`&page->_refcount`,
 * `counter`), which is why these are macros.
 *
 * Plain accesses (SIM_PLAIN_READ / SIM_PLAIN_WRITE) stand for a C access the
 * kernel does without READ_ONCE: they are what the data-race oracle reports
 * when two of them (or one and a marked write) are concurrent.
 */
#ifndef HMMSIM_ATOMIC_H
#define HMMSIM_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sim_mo {
	SIM_RELAXED,
	SIM_ACQUIRE,
	SIM_RELEASE,
	SIM_ACQ_REL,
	SIM_SEQ_CST,
};

/**
 * typedef sim_atomic_t - an atomic long, as atomic_long_t / atomic_t in the kernel.
 * @v: the value; only the sim_atomic_*() functions touch it
 */
typedef struct sim_atomic {
	long v;
} sim_atomic_t;

long sim_atomic_load_at(sim_atomic_t *a, enum sim_mo mo, const char *name, const char *site);
void sim_atomic_store_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			 const char *site);
long sim_atomic_xchg_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			const char *site);
/* Strong compare-and-exchange; on failure *expected receives the current value. */
bool sim_atomic_cmpxchg_at(sim_atomic_t *a, long *expected, long desired, enum sim_mo mo,
			   const char *name, const char *site);
/* Adds @v and returns the new value. */
long sim_atomic_add_return_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			      const char *site);

/* Bitwise read-modify-write; both return the old value (atomic_fetch_or/and). */
long sim_atomic_fetch_or_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			    const char *site);
long sim_atomic_fetch_and_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			     const char *site);

/*
 * atomic_add() and set_bit(): a read-modify-write whose result the caller
 * does not use.  For dpor two of them on one atomic commute when neither
 * releases (SIM_RELAXED, SIM_ACQUIRE): the order leaves the same value and
 * the same happens-before (docs/dpor.md, "Updates").
 */
void sim_atomic_add_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
		       const char *site);
void sim_atomic_or_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
		      const char *site);
#define sim_atomic_add(a, v, mo) sim_atomic_add_at((a), (v), (mo), #a, __func__)
#define sim_atomic_or(a, v, mo)	 sim_atomic_or_at((a), (v), (mo), #a, __func__)

/* Non-scheduling initialisation, for objects not yet visible to other threads. */
static inline void sim_atomic_init(sim_atomic_t *a, long v)
{
	a->v = v;
}

#define sim_atomic_load(a, mo)	   sim_atomic_load_at((a), (mo), #a, __func__)
#define sim_atomic_store(a, v, mo) sim_atomic_store_at((a), (v), (mo), #a, __func__)
#define sim_atomic_xchg(a, v, mo)  sim_atomic_xchg_at((a), (v), (mo), #a, __func__)
#define sim_atomic_cmpxchg(a, exp, des, mo)                                                        \
	sim_atomic_cmpxchg_at((a), (exp), (des), (mo), #a, __func__)
#define sim_atomic_add_return(a, v, mo) sim_atomic_add_return_at((a), (v), (mo), #a, __func__)
#define sim_atomic_fetch_or(a, v, mo)	sim_atomic_fetch_or_at((a), (v), (mo), #a, __func__)
#define sim_atomic_fetch_and(a, v, mo)	sim_atomic_fetch_and_at((a), (v), (mo), #a, __func__)
#define sim_atomic_sub_return(a, v, mo) sim_atomic_add_return_at((a), -(v), (mo), #a, __func__)
/* atomic_sub_and_test(): true when the result is zero (fully ordered, as in the kernel). */
#define sim_atomic_sub_and_test(a, v)                                                              \
	(sim_atomic_add_return_at((a), -(v), SIM_ACQ_REL, #a, __func__) == 0)
#define sim_atomic_add_and_test(a, v)                                                              \
	(sim_atomic_add_return_at((a), (v), SIM_ACQ_REL, #a, __func__) == 0)
#define sim_atomic_inc(a)	   sim_atomic_add_at((a), 1, SIM_RELAXED, #a, __func__)
#define sim_atomic_dec_and_test(a) sim_atomic_sub_and_test((a), 1)

/*
 * sim_bits_t - a word of flag bits (page->flags), read and changed only
 * through the sim_bits_*() operations below, each of which names the bits it
 * reads or changes (@mask, never 0): it returns only those bits and changes
 * no others.  For the dpor strategy each bit is an object of its own, so two
 * operations on one word are dependent only when their masks share a bit and
 * one of them changes it (docs/dpor.md, "Bits of one word"); the memory
 * order still orders the whole word, for the oracles and for dpor.
 * Elsewhere they are the atomics they name, with one scheduling point each.
 */
typedef struct sim_bits {
	sim_atomic_t word;
} sim_bits_t;

/* test_bit(), the flags a folio_test_*() reads: the word & @mask. */
unsigned long sim_bits_load_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo, const char *name,
			       const char *site);
/* test_and_set_bit(): sets @mask, returns the old word & @mask. */
unsigned long sim_bits_fetch_or_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo,
				   const char *name, const char *site);
/* test_and_clear_bit(), atomic_long_fetch_andnot(): clears @mask, returns
 * the old word & @mask. */
unsigned long sim_bits_fetch_andnot_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo,
				       const char *name, const char *site);
/* set_bit(): sets @mask, the result unused: for dpor two of them commute. */
void sim_bits_set_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo, const char *name,
		     const char *site);
/* The bits of @mask take their value in @v (the rest of @v must be 0); the
 * others are kept: a store of the whole word is a store with the mask of
 * every bit the word may hold. */
void sim_bits_store_at(sim_bits_t *w, unsigned long v, unsigned long mask, enum sim_mo mo,
		       const char *name, const char *site);
/*
 * The bits of @mask of @w are read (and changed, @write) by a C atomic the
 * model keeps inline, without a scheduling point (sim_noted_bits_*()): dpor
 * counts them in the current operation's footprint, as sim_note_access().
 */
void sim_note_bits_at(const sim_bits_t *w, unsigned long mask, bool write, const char *name,
		      const char *site);
#define sim_note_bits(w, mask, write) sim_note_bits_at((w), (mask), (write), #w, __func__)

/* Non-scheduling initialisation, for words not yet visible to other threads. */
static inline void sim_bits_init(sim_bits_t *w, unsigned long v)
{
	w->word.v = (long)v;
}

#define sim_bits_load(w, mask, mo)	   sim_bits_load_at((w), (mask), (mo), #w, __func__)
#define sim_bits_fetch_or(w, mask, mo)	   sim_bits_fetch_or_at((w), (mask), (mo), #w, __func__)
#define sim_bits_fetch_andnot(w, mask, mo) sim_bits_fetch_andnot_at((w), (mask), (mo), #w, __func__)
#define sim_bits_set(w, mask, mo)	   sim_bits_set_at((w), (mask), (mo), #w, __func__)
/* clear_bit(): a test_and_clear_bit() whose result is not used. */
#define sim_bits_clear(w, mask, mo)                                                                \
	((void)sim_bits_fetch_andnot_at((w), (mask), (mo), #w, __func__))
#define sim_bits_store(w, v, mask, mo) sim_bits_store_at((w), (v), (mask), (mo), #w, __func__)

/* The inline forms (oracle reads, bookkeeping of the model): @mo is an
 * __ATOMIC_* order; the same contract as the sim_bits_*() operations. */
#define sim_noted_bits_load(w, mask, mo)                                                           \
	(sim_note_bits((w), (mask), false),                                                        \
	 (unsigned long)__atomic_load_n(&(w)->word.v, (mo)) & (unsigned long)(mask))
#define sim_noted_bits_or(w, mask, mo)                                                             \
	(sim_note_bits((w), (mask), true),                                                         \
	 (unsigned long)__atomic_fetch_or(&(w)->word.v, (long)(mask), (mo)) &                      \
	     (unsigned long)(mask))
#define sim_noted_bits_andnot(w, mask, mo)                                                         \
	(sim_note_bits((w), (mask), true),                                                         \
	 (unsigned long)__atomic_fetch_and(&(w)->word.v, ~(long)(mask), (mo)) &                    \
	     (unsigned long)(mask))
#define sim_noted_bits_store(w, val, mask, mo)                                                     \
	do {                                                                                       \
		sim_bits_t *sim__w = (w);                                                          \
		long sim__m = (long)(mask), sim__v = (long)(val);                                  \
		sim_note_bits_at(sim__w, (unsigned long)sim__m, true, #w, __func__);               \
		long sim__o = __atomic_load_n(&sim__w->word.v, __ATOMIC_RELAXED);                  \
		while (!__atomic_compare_exchange_n(&sim__w->word.v, &sim__o,                      \
						    (sim__o & ~sim__m) | (sim__v & sim__m), false, \
						    (mo), __ATOMIC_RELAXED))                       \
			;                                                                          \
	} while (0)

/* Flags of an annotated access. */
#define SIM_ACC_WRITE  0x1u /* store (else load) */
#define SIM_ACC_MARKED 0x2u /* READ_ONCE/WRITE_ONCE (else plain) */
#define SIM_ACC_PTR    0x4u /* value is a pointer: reports show null/non-null only */
#define SIM_ACC_ACQREL 0x8u /* load-acquire / store-release (smp_load_acquire ...) */

/*
 * Scheduling point, then the access of @size bytes (1, 2, 4 or 8) at @addr.
 * Loads return the bytes read in the low-addressed bytes of the result, stores
 * take them the same way, so the macros below can copy any scalar type.
 */
uint64_t sim_load_at(const volatile void *addr, size_t size, unsigned flags, const char *name,
		     const char *site);
void sim_store_at(volatile void *addr, size_t size, uint64_t bytes, unsigned flags,
		  const char *name, const char *site);

/*
 * An access the model makes without a scheduling point (a C atomic it keeps
 * inline, so that the schedules stay as they are): the dpor strategy counts
 * it in the current operation's footprint, so that it still orders the
 * threads that touch @addr (docs/dpor.md).  No effect elsewhere.
 */
void sim_note_access_at(const volatile void *addr, bool write, const char *name, const char *site);
#define sim_note_access(addr, write) sim_note_access_at((addr), (write), #addr, __func__)
/* The same for an addition whose result is not used: commutes with another. */
void sim_note_add_at(const volatile void *addr, const char *name, const char *site);
#define sim_note_add(addr) sim_note_add_at((addr), #addr, __func__)
/*
 * The read-modify-write of @a the current operation just did is one whose
 * result cannot change what the kernel does in any order with the others
 * so marked (a percpu_ref put that leaves the count above zero: two of them
 * do so in either order), though the model, keeping one exact count, uses
 * it for its checks: dpor counts it as an addition, which commutes with
 * another (docs/dpor.md, "Updates").  Call it right after the operation,
 * only where the result cannot change what the model does.
 */
void sim_atomic_result_unused(sim_atomic_t *a);
/*
 * The read-modify-write of @a the current operation just did was also an
 * acquire: its ordering depends on the value it found (a percpu_ref put is
 * fully ordered only once the ref is in atomic mode).  For the race
 * oracle's happens-before; no scheduling point, nothing for dpor.  Call it
 * right after the operation.
 */
void sim_atomic_acquired(sim_atomic_t *a);
/*
 * The read-modify-write of @a the current operation just did changed only
 * the part of it that @part stands for (the hardware setting a pte's dirty
 * bit): dpor counts it as a read of @a and a write of @part, so that a read
 * of @a that never looks at that part commutes with it (docs/dpor.md, "Parts
 * of one word").  Every read of @a that may look at the part, or whose value
 * may be written back, must also read @part (sim_note_access(@part,
 * false)); a write of @a conflicts with it through @a.  Call it right after
 * the operation.  No effect elsewhere.
 */
void sim_atomic_wrote_part_at(sim_atomic_t *a, const void *part, const char *name,
			      const char *site);
#define sim_atomic_wrote_part(a, part) sim_atomic_wrote_part_at((a), (part), #part, __func__)

/*
 * The C atomics the model keeps inline (oracle and bookkeeping fields, no
 * scheduling point), each with its sim_note_access(): the builtins'
 * arguments and results, for model code that must not hide an access from
 * dpor.
 */
#define sim_noted_load_n(p, ...) (sim_note_access((p), false), __atomic_load_n((p), __VA_ARGS__))
#define sim_noted_store_n(p, ...) (sim_note_access((p), true), __atomic_store_n((p), __VA_ARGS__))
#define sim_noted_fetch_add(p, ...)                                                                \
	(sim_note_access((p), true), __atomic_fetch_add((p), __VA_ARGS__))
#define sim_noted_fetch_sub(p, ...)                                                                \
	(sim_note_access((p), true), __atomic_fetch_sub((p), __VA_ARGS__))
#define sim_noted_fetch_or(p, ...) (sim_note_access((p), true), __atomic_fetch_or((p), __VA_ARGS__))
#define sim_noted_fetch_and(p, ...)                                                                \
	(sim_note_access((p), true), __atomic_fetch_and((p), __VA_ARGS__))
/* A relaxed counter increment whose result is not used (a statistic). */
#define sim_noted_add(p, v) (sim_note_add(p), (void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))
#define sim_noted_add_fetch(p, ...)                                                                \
	(sim_note_access((p), true), __atomic_add_fetch((p), __VA_ARGS__))
#define sim_noted_sub_fetch(p, ...)                                                                \
	(sim_note_access((p), true), __atomic_sub_fetch((p), __VA_ARGS__))

#define SIM__ISPTR(x) (__builtin_classify_type(x) == 5 ? SIM_ACC_PTR : 0u)

#define SIM__LOAD(x, fl)                                                                           \
	({                                                                                         \
		_Static_assert(sizeof(x) == 1 || sizeof(x) == 2 || sizeof(x) == 4 ||               \
				   sizeof(x) == 8,                                                 \
			       "annotated access of a non-scalar");                                \
		uint64_t sim__lb =                                                                 \
		    sim_load_at(&(x), sizeof(x), (fl) | SIM__ISPTR(x), #x, __func__);              \
		__typeof__(x) sim__lv;                                                             \
		memcpy((void *)&sim__lv, &sim__lb, sizeof(sim__lv));                               \
		sim__lv;                                                                           \
	})

#define SIM__STORE(x, val, fl)                                                                     \
	do {                                                                                       \
		_Static_assert(sizeof(x) == 1 || sizeof(x) == 2 || sizeof(x) == 4 ||               \
				   sizeof(x) == 8,                                                 \
			       "annotated access of a non-scalar");                                \
		__typeof__(x) sim__sv = (val);                                                     \
		uint64_t sim__sb = 0;                                                              \
		memcpy(&sim__sb, (const void *)&sim__sv, sizeof(sim__sv));                         \
		sim_store_at(&(x), sizeof(x), sim__sb, (fl) | SIM__ISPTR(x), #x, __func__);        \
	} while (0)

/* READ_ONCE / WRITE_ONCE: marked accesses, never a data race with each other. */
#define SIM_READ_ONCE(x)     SIM__LOAD(x, SIM_ACC_MARKED)
#define SIM_WRITE_ONCE(x, v) SIM__STORE(x, v, SIM_ACC_WRITE | SIM_ACC_MARKED)
/* smp_load_acquire / smp_store_release. */
#define SIM_LOAD_ACQUIRE(x)	SIM__LOAD(x, SIM_ACC_MARKED | SIM_ACC_ACQREL)
#define SIM_STORE_RELEASE(x, v) SIM__STORE(x, v, SIM_ACC_WRITE | SIM_ACC_MARKED | SIM_ACC_ACQREL)
/* Plain accesses of shared fields, made visible to the engine. */
#define SIM_PLAIN_READ(x)     SIM__LOAD(x, 0u)
#define SIM_PLAIN_WRITE(x, v) SIM__STORE(x, v, SIM_ACC_WRITE)

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_ATOMIC_H */
