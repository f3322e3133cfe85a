// SPDX-License-Identifier: MIT
#include "arena.h"
#include "engine.h" /* sim_oom() */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HMMSIM_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#define CHUNK_SIZE (256u << 10)

struct sim_chunk {
	struct sim_chunk *next;
	size_t size; /* usable bytes after the header */
	size_t used; /* bytes handed out when the arena moved past it */
	char data[] __attribute__((aligned(16)));
};

#ifdef HMMSIM_JEMALLOC
int sim_jemalloc_arena_create(unsigned int *ind)
{
	size_t sz = sizeof(*ind);
	return mallctl("arenas.create", ind, &sz, NULL, 0) ? -ENOMEM : 0;
}

void *sim_jemalloc_arena_alloc(unsigned int ind, size_t size)
{
	return mallocx(size, MALLOCX_ARENA(ind) | MALLOCX_TCACHE_NONE);
}

int sim_jemalloc_arena_reset(unsigned int ind)
{
	char name[64];
	snprintf(name, sizeof(name), "arena.%u.reset", ind);
	return mallctl(name, NULL, NULL, NULL, 0) ? -EINVAL : 0;
}
#endif

static struct sim_chunk *chunk_new(struct sim_arena *a, size_t size)
{
	struct sim_chunk *c;
	size_t total = sizeof(*c) + size;
#ifdef HMMSIM_JEMALLOC
	c = sim_jemalloc_arena_alloc(a->je_arena, total);
#else
	c = malloc(total);
#endif
	if (!c)
		return NULL;
	c->next = NULL;
	c->size = size;
	a->bytes_reserved += total;
	return c;
}

int sim_arena_init(struct sim_arena *a)
{
	memset(a, 0, sizeof(*a));
#ifdef HMMSIM_JEMALLOC
	if (sim_jemalloc_arena_create(&a->je_arena))
		return -ENOMEM;
#endif
	a->first = chunk_new(a, CHUNK_SIZE);
	if (!a->first)
		return -ENOMEM;
	a->cur = a->first;
	a->ptr = a->first->data;
	a->end = a->ptr + a->first->size;
	return 0;
}

void sim_arena_destroy(struct sim_arena *a)
{
	struct sim_chunk *c = a->first, *n;
	for (; c; c = n) {
		n = c->next;
#ifdef HMMSIM_JEMALLOC
		dallocx(c, MALLOCX_TCACHE_NONE);
#else
#ifdef HMMSIM_ASAN
		ASAN_UNPOISON_MEMORY_REGION(c->data, c->size);
#endif
		free(c);
#endif
	}
	memset(a, 0, sizeof(*a));
}

/* Move to the next kept chunk that fits, or add one. */
void *sim_arena_alloc_slow(struct sim_arena *a, size_t size)
{
	struct sim_chunk *c = a->cur;
	c->used = (size_t)(a->ptr - c->data);
	while (c->next && c->next->size < size) {
		c = c->next; /* skip kept chunks too small for this object */
		c->used = 0;
	}
	if (c->next) {
		c = c->next;
	} else {
		struct sim_chunk *n = chunk_new(a, size > CHUNK_SIZE ? size : CHUNK_SIZE);
		if (!n)
			sim_oom("the memory of one execution (its model state)");
		c->next = n;
		c = n;
	}
	a->cur = c;
	a->ptr = c->data;
	a->end = c->data + c->size;
	void *p = a->ptr;
	a->ptr += size;
#ifdef HMMSIM_ASAN
	ASAN_UNPOISON_MEMORY_REGION(p, size);
#endif
	return memset(p, 0, size);
}

void sim_arena_reset(struct sim_arena *a)
{
#ifdef HMMSIM_ASAN
	/* Anything kept from the last execution now faults under ASan. */
	for (struct sim_chunk *c = a->first; c; c = c->next) {
		ASAN_POISON_MEMORY_REGION(c->data, c->size);
		if (c == a->cur)
			break;
	}
#endif
	a->cur = a->first;
	a->ptr = a->first->data;
	a->end = a->ptr + a->first->size;
}

bool sim_arena_owns(const struct sim_arena *a, const void *p, size_t size)
{
	const char *q = p;
	for (const struct sim_chunk *c = a->first; c; c = c->next) {
		const char *end = c == a->cur ? a->ptr : c->data + c->size;
		if (q >= c->data && q + size <= end) {
#ifdef HMMSIM_ASAN
			/* a tail skipped by sim_arena_alloc_slow() stays poisoned */
			return !__asan_region_is_poisoned((void *)q, size);
#else
			return true;
#endif
		}
		if (c == a->cur)
			break;
	}
	return false;
}

uint64_t sim_arena_hash(const struct sim_arena *a)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const struct sim_chunk *c = a->first; c; c = c->next) {
		const unsigned char *p = (const unsigned char *)c->data;
		const unsigned char *end = c == a->cur ? (const unsigned char *)a->ptr : p + c->used;
		for (; p + 8 <= end; p += 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			h = (h ^ w) * 0x100000001b3ull;
		}
		if (c == a->cur)
			break;
	}
	return h ^ (h >> 31);
}
