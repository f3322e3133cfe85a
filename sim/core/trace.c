// SPDX-License-Identifier: MIT
/*
 * The trace of one execution and its report.  Tracing is on only while the
 * engine replays a failing schedule to build its report, so exploration pays
 * nothing for it; determinism makes the replayed trace the failing one.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void trace_add(bool detail, const char *site, const char *fmt, va_list ap)
{
	struct sim_engine *e = &sim_eng;
	char body[320];

	vsnprintf(body, sizeof(body), fmt, ap);
	if (e->ntrace == e->captrace) {
		e->captrace = e->captrace ? 2 * e->captrace : 256;
		e->trace = realloc(e->trace, e->captrace * sizeof(*e->trace));
		if (!e->trace)
			abort();
	}
	size_t n = strlen(body) + (site ? strlen(site) + 2 : 0) + 1;
	char *text = malloc(n);
	if (!text)
		abort();
	if (site)
		snprintf(text, n, "%s: %s", site, body);
	else
		snprintf(text, n, "%s", body);
	e->trace[e->ntrace++] = (struct sim_trace_ev){
	    .tid = e->cur ? e->cur->id : -1,
	    .detail = detail,
	    .step = e->steps,
	    .text = text,
	};
}

void sim_trace(const char *site, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	trace_add(false, site, fmt, ap);
	va_end(ap);
}

void sim_trace_detail(const char *site, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	trace_add(true, site, fmt, ap);
	va_end(ap);
}

void sim_trace_clear(void)
{
	struct sim_engine *e = &sim_eng;
	for (size_t i = 0; i < e->ntrace; i++)
		free(e->trace[i].text);
	e->ntrace = 0;
}

struct out {
	char *p;
	size_t n, cap;
};

static void outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = o->cap - o->n;
		va_start(ap, fmt);
		int k = vsnprintf(o->p ? o->p + o->n : NULL, room, fmt, ap);
		va_end(ap);
		if (k >= 0 && (size_t)k < room) {
			o->n += (size_t)k;
			return;
		}
		o->cap = o->cap ? 2 * o->cap + (size_t)k : 4096 + (size_t)k;
		o->p = realloc(o->p, o->cap);
		if (!o->p)
			abort();
	}
}

#define COL 34

/*
 * One row per event, indented into its thread's column, so a long event
 * never collides with another; the last event of each thread is marked.
 * @brief leaves out atomics and annotated accesses (model events, locks and
 * waits stay).
 */
char *sim_trace_report(bool brief)
{
	struct sim_engine *e = &sim_eng;
	struct out o = {0};
	size_t last[SIM_MAX_THREADS];
	int nthreads = e->nthreads;

	for (int t = 0; t < nthreads; t++)
		last[t] = SIZE_MAX;
	for (size_t i = 0; i < e->ntrace; i++)
		if (e->trace[i].tid >= 0 && !(brief && e->trace[i].detail))
			last[e->trace[i].tid] = i;

	outf(&o, "%6s  ", "step");
	for (int t = 0; t < nthreads; t++) {
		char h[COL + 1];
		snprintf(h, sizeof(h), "T%d %s", t, e->threads[t].name);
		outf(&o, "%-*s", t + 1 < nthreads ? COL : 0, h);
	}
	outf(&o, "\n");
	for (size_t i = 0; i < e->ntrace; i++) {
		const struct sim_trace_ev *ev = &e->trace[i];
		int col = ev->tid < 0 ? 0 : ev->tid;
		if (brief && ev->detail)
			continue;
		outf(&o, "%6llu  %*s%s%s\n", (unsigned long long)ev->step, col * COL, "", ev->text,
		     ev->tid >= 0 && last[ev->tid] == i ? "  <- last" : "");
	}
	return o.p;
}
