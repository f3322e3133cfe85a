/* SPDX-License-Identifier: MIT */
/*
 * Execution memory: a bump region over chunks taken once from a dedicated
 * jemalloc arena (mallocx(MALLOCX_ARENA(i) | MALLOCX_TCACHE_NONE)).  Resetting
 * it at the end of an execution is O(1): the cursor goes back to the first
 * chunk; chunks are kept for the next execution.  bench/exec_rate measures
 * this against jemalloc's own arena.<i>.reset, which costs microseconds per
 * reset (see docs/engine.md).
 *
 * Without jemalloc (sanitizer builds) chunks come from malloc and a reset
 * poisons what the execution used, so ASan reports a stale pointer from an
 * earlier execution.
 */
#ifndef SIM_CORE_ARENA_H
#define SIM_CORE_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifdef HMMSIM_ASAN
#include <sanitizer/asan_interface.h>
#endif

struct sim_chunk;

struct sim_arena {
	struct sim_chunk *first, *cur;
	char *ptr, *end;
	unsigned int je_arena; /* jemalloc arena index, when built with it */
	size_t bytes_reserved;
};

int sim_arena_init(struct sim_arena *a);
void sim_arena_destroy(struct sim_arena *a);
void *sim_arena_alloc_slow(struct sim_arena *a, size_t size);
void sim_arena_reset(struct sim_arena *a);
/* Whether @p (@size bytes) lies in memory handed out since the last reset:
 * a pointer kept from an earlier execution is refused without reading it. */
bool sim_arena_owns(const struct sim_arena *a, const void *p, size_t size);
/* A hash of the memory handed out since the last reset (dpor's self-check:
 * the final state of an execution).  A tail a chunk skipped is left out. */
uint64_t sim_arena_hash(const struct sim_arena *a);

/* Zeroed, 16-byte aligned. */
static inline void *sim_arena_alloc(struct sim_arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if ((size_t)(a->end - a->ptr) < size)
		return sim_arena_alloc_slow(a, size);
	void *p = a->ptr;
	a->ptr += size;
#ifdef HMMSIM_ASAN
	ASAN_UNPOISON_MEMORY_REGION(p, size);
#endif
	return __builtin_memset(p, 0, size);
}

#ifdef HMMSIM_JEMALLOC
/* For bench/exec_rate: jemalloc's own per-arena reset, the alternative. */
int sim_jemalloc_arena_create(unsigned int *ind);
void *sim_jemalloc_arena_alloc(unsigned int ind, size_t size);
int sim_jemalloc_arena_reset(unsigned int ind);
#endif

#endif /* SIM_CORE_ARENA_H */
