// SPDX-License-Identifier: MIT
/*
 * The trace of one execution and its report.  Tracing is on only while the
 * engine replays a failing schedule to build its report, so exploration pays
 * nothing for it; determinism makes the replayed trace the failing one.
 *
 * Bounded: an execution may run millions of steps (a livelock at a large
 * --step-bound), so neither the report nor the memory that builds it grows
 * with the trace.  Kept are the first TRACE_HEAD events, the last TRACE_TAIL,
 * each thread's last TRACE_LAST (and its last model event, for brief
 * reports), and a loop detector's state: for each period p up to TRACE_LOOP
 * events, how many of the latest events equal the one p before.  A report
 * that left events out says how many, and names the loop the execution
 * repeated (a livelock's).  A trace of at most TRACE_HEAD + TRACE_TAIL events
 * is reported whole.  sim_trace_keep_all() keeps every event too, for the
 * Chrome trace (hmmsim --trace-out).
 */
#include "engine.h"

#include <hmmsim/explore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_HEAD 400
#define TRACE_TAIL 800
#define TRACE_LAST 4
#define TRACE_LOOP 256 /* a power of two */

/* An event and its index in the execution's trace. */
struct kept_ev {
	struct sim_trace_ev ev;
	uint64_t idx;
};

static struct {
	bool keep_all;			 /* sim_trace_keep_all() */
	uint64_t total;			 /* events recorded */
	struct kept_ev tail[TRACE_TAIL]; /* event i at i % TRACE_TAIL, i >= TRACE_HEAD */
	struct kept_ev last[SIM_MAX_THREADS][TRACE_LAST]; /* event k of thread t at k % LAST */
	uint64_t nlast[SIM_MAX_THREADS];
	struct kept_ev last_model[SIM_MAX_THREADS]; /* the last one that is not a detail */
	/* loop detector, over the events before the violation's */
	uint64_t looped;		/* events it has seen */
	uint32_t hash[TRACE_LOOP];	/* of event i at i % TRACE_LOOP */
	uint64_t step[TRACE_LOOP];	/* of event i at i % TRACE_LOOP */
	uint64_t run[TRACE_LOOP + 1];	/* latest events equal to the one p before */
	uint64_t start[TRACE_LOOP + 1]; /* the step at which that run's loop began */
} tk;

static void (*oom_handler)(const char *what);

void sim_set_oom_handler(void (*fn)(const char *what))
{
	oom_handler = fn;
}

__attribute__((noreturn)) void sim_oom(const char *what)
{
	if (oom_handler)
		oom_handler(what);
	fprintf(stderr, "hmmsim: out of memory: %s\n", what);
	abort();
}

void sim_trace_keep_all(bool on)
{
	tk.keep_all = on;
}

static char *trace_strdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		sim_oom("the trace of the reported execution");
	return d;
}

static void kept_set(struct kept_ev *k, const struct sim_trace_ev *ev, uint64_t idx)
{
	free(k->ev.text);
	k->ev = *ev;
	k->ev.text = trace_strdup(ev->text);
	k->idx = idx;
}

static uint32_t ev_hash(const struct sim_trace_ev *ev)
{
	uint32_t h = 2166136261u ^ (uint32_t)(ev->tid + 1);
	for (const char *p = ev->text; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* Feed event @ev to the loop detector: O(TRACE_LOOP), only while tracing. */
static void loop_add(const struct sim_trace_ev *ev)
{
	uint64_t n = tk.looped++, max = n < TRACE_LOOP ? n : TRACE_LOOP;
	uint32_t h = ev_hash(ev);

	for (uint64_t p = 1; p <= max; p++) {
		size_t at = (size_t)((n - p) & (TRACE_LOOP - 1));
		if (tk.hash[at] != h) {
			tk.run[p] = 0;
		} else if (tk.run[p]++ == 0) {
			tk.start[p] = tk.step[at];
		}
	}
	tk.hash[n & (TRACE_LOOP - 1)] = h;
	tk.step[n & (TRACE_LOOP - 1)] = ev->step;
}

/* Keep @ev (its text malloc'd) where the bounds say; the head owns its text. */
static void trace_keep(struct sim_trace_ev *ev)
{
	struct sim_engine *e = &sim_eng;
	uint64_t idx = tk.total++;

	if (idx < TRACE_HEAD || tk.keep_all) {
		if (e->ntrace == e->captrace) {
			e->captrace = e->captrace ? 2 * e->captrace : 256;
			e->trace = realloc(e->trace, e->captrace * sizeof(*e->trace));
			if (!e->trace)
				sim_oom(tk.keep_all ? "the whole trace kept for --trace-out"
						    : "the trace of the reported execution");
		}
		e->trace[e->ntrace++] = *ev;
	}
	if (idx >= TRACE_HEAD)
		kept_set(&tk.tail[idx % TRACE_TAIL], ev, idx);
	if (ev->tid >= 0) {
		kept_set(&tk.last[ev->tid][tk.nlast[ev->tid]++ % TRACE_LAST], ev, idx);
		if (!ev->detail)
			kept_set(&tk.last_model[ev->tid], ev, idx);
	}
	if (ev->body || strncmp(ev->text, "VIOLATION ", 10))
		loop_add(ev); /* the violation ends the trace, not part of a loop */
	if (idx >= TRACE_HEAD && !tk.keep_all)
		free(ev->text);
}

static void trace_add(bool detail, const char *site, const char *fmt, va_list ap)
{
	struct sim_engine *e = &sim_eng;
	char body[320];

	vsnprintf(body, sizeof(body), fmt, ap);
	size_t n = strlen(body) + (site ? strlen(site) + 2 : 0) + 1;
	char *text = malloc(n);
	if (!text)
		sim_oom("the trace of the reported execution");
	if (site)
		snprintf(text, n, "%s: %s", site, body);
	else
		snprintf(text, n, "%s", body);
	trace_keep(&(struct sim_trace_ev){
	    .tid = e->cur ? e->cur->id : -1,
	    .detail = detail,
	    .step = e->steps,
	    .text = text,
	    .body = site ? (unsigned int)strlen(site) + 2 : 0,
	});
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

static void kept_clear(struct kept_ev *k)
{
	free(k->ev.text);
	memset(k, 0, sizeof(*k));
}

void sim_trace_clear(void)
{
	struct sim_engine *e = &sim_eng;
	for (size_t i = 0; i < e->ntrace; i++)
		free(e->trace[i].text);
	e->ntrace = 0;
	for (size_t i = 0; i < TRACE_TAIL; i++)
		kept_clear(&tk.tail[i]);
	for (int t = 0; t < SIM_MAX_THREADS; t++) {
		for (int k = 0; k < TRACE_LAST; k++)
			kept_clear(&tk.last[t][k]);
		kept_clear(&tk.last_model[t]);
		tk.nlast[t] = 0;
	}
	tk.total = 0;
	tk.looped = 0;
	memset(tk.run, 0, sizeof(tk.run));
}

/* ---- the events a report shows ---------------------------------------------- */

#define SEL_MAX (TRACE_HEAD + TRACE_TAIL + SIM_MAX_THREADS * (TRACE_LAST + 1))

struct selection {
	const struct kept_ev *v[SEL_MAX];
	size_t n;
	struct kept_ev head[TRACE_HEAD]; /* e->trace's first events, with their index */
};

static int by_idx(const void *a, const void *b)
{
	const struct kept_ev *x = *(const struct kept_ev *const *)a,
			     *y = *(const struct kept_ev *const *)b;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The kept events in trace order, each once.  @s is large: the caller's heap. */
static void trace_select(struct selection *s)
{
	struct sim_engine *e = &sim_eng;
	size_t nhead = e->ntrace < TRACE_HEAD ? e->ntrace : TRACE_HEAD, n = 0;
	uint64_t from = tk.total > TRACE_TAIL ? tk.total - TRACE_TAIL : 0;

	for (size_t i = 0; i < nhead; i++) {
		s->head[i] = (struct kept_ev){.ev = e->trace[i], .idx = i};
		s->v[n++] = &s->head[i];
	}
	for (uint64_t i = from > TRACE_HEAD ? from : TRACE_HEAD; i < tk.total; i++)
		s->v[n++] = &tk.tail[i % TRACE_TAIL];
	for (int t = 0; t < e->nthreads; t++) {
		for (uint64_t k = tk.nlast[t] > TRACE_LAST ? tk.nlast[t] - TRACE_LAST : 0;
		     k < tk.nlast[t]; k++)
			s->v[n++] = &tk.last[t][k % TRACE_LAST];
		if (tk.last_model[t].ev.text)
			s->v[n++] = &tk.last_model[t];
	}
	qsort(s->v, n, sizeof(s->v[0]), by_idx);
	s->n = 0;
	for (size_t i = 0; i < n; i++)
		if (!s->n || s->v[s->n - 1]->idx != s->v[i]->idx)
			s->v[s->n++] = s->v[i];
}

static struct selection *selection_new(void)
{
	struct selection *s = malloc(sizeof(*s));
	if (!s)
		sim_oom("a report's list of events");
	trace_select(s);
	return s;
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
			sim_oom("the text of a report");
	}
}

#define COL 34

/* The loop the trace ends with (before the violation), if it repeats 3 times. */
static void report_loop(struct out *o)
{
	uint64_t best = 0, cover = 0;

	for (uint64_t p = 1; p <= TRACE_LOOP && p <= tk.looped; p++)
		if (tk.run[p] >= 2 * p && tk.run[p] + p > cover) {
			best = p;
			cover = tk.run[p] + p;
		}
	if (!best) {
		outf(o, "\nno loop of at most %d events repeats at the end of this trace\n",
		     TRACE_LOOP);
		return;
	}
	uint64_t n = tk.looped, mask = TRACE_LOOP - 1;
	outf(o,
	     "\nloop: from step %llu on, one round of %llu events (the last: steps %llu to %llu) "
	     "repeats %llu times\n",
	     (unsigned long long)tk.start[best], (unsigned long long)best,
	     (unsigned long long)tk.step[(n - best) & mask],
	     (unsigned long long)tk.step[(n - 1) & mask], (unsigned long long)(cover / best));
}

/*
 * One row per event, indented into its thread's column, so a long event
 * never collides with another; the last event of each thread is marked.
 * @brief leaves out atomics and annotated accesses (model events, locks and
 * waits stay).  A long trace is shown bounded (see the top of this file).
 */
char *sim_trace_report(bool brief)
{
	struct sim_engine *e = &sim_eng;
	struct out o = {0};
	size_t last[SIM_MAX_THREADS];
	int nthreads = e->nthreads;
	struct selection *s = selection_new();
	bool gaps = false;

	for (int t = 0; t < nthreads; t++)
		last[t] = SIZE_MAX;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->ev.tid >= 0 && !(brief && s->v[i]->ev.detail))
			last[s->v[i]->ev.tid] = i;

	outf(&o, "%6s  ", "step");
	for (int t = 0; t < nthreads; t++) {
		char h[COL + 1];
		snprintf(h, sizeof(h), "T%d %s", t, e->threads[t].name);
		outf(&o, "%-*s", t + 1 < nthreads ? COL : 0, h);
	}
	outf(&o, "\n");
	for (size_t i = 0; i < s->n; i++) {
		const struct sim_trace_ev *ev = &s->v[i]->ev;
		uint64_t gap = s->v[i]->idx - (i ? s->v[i - 1]->idx + 1 : 0);
		int col = ev->tid < 0 ? 0 : ev->tid;
		if (gap) {
			outf(&o,
			     "%6s  ... %llu events left out, steps %llu to %llu (--trace-out FILE "
			     "writes every event)\n",
			     "", (unsigned long long)gap,
			     (unsigned long long)(i ? s->v[i - 1]->ev.step : 0),
			     (unsigned long long)ev->step);
			gaps = true;
		}
		if (brief && ev->detail)
			continue;
		outf(&o, "%6llu  %*s%s%s\n", (unsigned long long)ev->step, col * COL, "", ev->text,
		     ev->tid >= 0 && last[ev->tid] == i ? "  <- last" : "");
	}
	if (gaps)
		report_loop(&o);
	free(s);
	return o.p;
}

/* ---- Chrome trace-event JSON ---------------------------------------------- */

static void out_json_str(struct out *o, const char *s, size_t len)
{
	outf(o, "\"");
	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			outf(o, "\\%c", c);
		else if (c == '\n')
			outf(o, "\\n");
		else if (c < 0x20)
			outf(o, "\\u%04x", c);
		else
			outf(o, "%c", c);
	}
	outf(o, "\"");
}

struct span_open {
	size_t idx;
	int tid;
	char key[64];
};

enum span_what { SPAN_NONE, SPAN_BEGIN, SPAN_END };

/*
 * Does @body take or release a lock (key: the lock's name) or start or end an
 * invalidation (key: "invalidate")?
 */
static enum span_what span_parse(const char *body, char *key, size_t keylen)
{
	const char *sp = strchr(body, ' ');
	size_t oplen = sp ? (size_t)(sp - body) : strlen(body);
	char op[48];

	if (strncmp(body, "invalidate_range_start", 22) == 0) {
		snprintf(key, keylen, "invalidate");
		return strstr(body, "refused") ? SPAN_END : SPAN_BEGIN;
	}
	if (strncmp(body, "invalidate_range_end", 20) == 0) {
		snprintf(key, keylen, "invalidate");
		return SPAN_END;
	}
	if (!sp || oplen >= sizeof(op))
		return SPAN_NONE;
	memcpy(op, body, oplen);
	op[oplen] = 0;
	if (strstr(op, "rcu") || strstr(op, "completion"))
		return SPAN_NONE;
	const char *name = sp + 1;
	const char *colon = strstr(name, ": ");
	size_t nlen = colon ? (size_t)(colon - name) : strlen(name);
	if (nlen >= keylen)
		nlen = keylen - 1;
	memcpy(key, name, nlen);
	key[nlen] = 0;
	if (strstr(op, "unlock") || strncmp(op, "up_", 3) == 0)
		return colon ? SPAN_NONE : SPAN_END;
	if ((oplen >= 4 && strcmp(op + oplen - 4, "lock") == 0) || strstr(op, "trylock") ||
	    strncmp(op, "down_", 5) == 0)
		return !colon || strcmp(colon + 2, "taken") == 0 ? SPAN_BEGIN : SPAN_NONE;
	return SPAN_NONE;
}

/*
 * One track per simulated thread; an instant event per trace event, and
 * complete ("X") events for lock holds and invalidations.  ts is the
 * scheduling step, shown as microseconds.
 */
char *sim_trace_chrome(const char *kind, const char *msg)
{
	struct sim_engine *e = &sim_eng;
	struct out o = {0};
	struct selection *s = tk.keep_all ? NULL : selection_new();
	size_t nev = s ? s->n : e->ntrace;
	const struct sim_trace_ev **evs = malloc((nev + 1) * sizeof(*evs));
	uint64_t *end = malloc((nev + 1) * sizeof(*end));
	struct span_open *open = NULL;
	size_t nopen = 0, capopen = 0;

	if (!end || !evs)
		sim_oom("the Chrome trace of a report");
	for (size_t i = 0; i < nev; i++)
		evs[i] = s ? &s->v[i]->ev : &e->trace[i];
	uint64_t last_step = nev ? evs[nev - 1]->step : 0;
	for (size_t i = 0; i < nev; i++) {
		const struct sim_trace_ev *ev = evs[i];
		char key[64];
		enum span_what w = span_parse(ev->text + ev->body, key, sizeof(key));
		end[i] = UINT64_MAX;
		if (w == SPAN_BEGIN) {
			if (nopen == capopen) {
				capopen = capopen ? 2 * capopen : 16;
				open = realloc(open, capopen * sizeof(*open));
				if (!open)
					sim_oom("the Chrome trace of a report");
			}
			open[nopen] = (struct span_open){.idx = i, .tid = ev->tid};
			snprintf(open[nopen].key, sizeof(open[nopen].key), "%s", key);
			nopen++;
		} else if (w == SPAN_END) {
			for (size_t j = nopen; j-- > 0;)
				if (open[j].tid == ev->tid && strcmp(open[j].key, key) == 0) {
					end[open[j].idx] = ev->step;
					memmove(&open[j], &open[j + 1],
						(nopen - j - 1) * sizeof(*open));
					nopen--;
					break;
				}
		}
	}
	for (size_t j = 0; j < nopen; j++) /* still held when the execution stopped */
		end[open[j].idx] = last_step + 1;
	free(open);

	outf(&o, "{\"traceEvents\":[\n");
	outf(&o, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":");
	out_json_str(&o, e->sc ? e->sc->name : "hmmsim", SIZE_MAX);
	outf(&o, "}}");
	for (int t = 0; t < e->nthreads; t++) {
		char h[96];
		snprintf(h, sizeof(h), "T%d %s", t, e->threads[t].name);
		outf(&o,
		     ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{"
		     "\"name\":",
		     t);
		out_json_str(&o, h, SIZE_MAX);
		outf(&o, "}}");
		outf(&o,
		     ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
		     "\"args\":{\"sort_index\":%d}}",
		     t, t);
	}
	for (size_t i = 0; i < nev; i++) {
		const struct sim_trace_ev *ev = evs[i];
		const char *body = ev->text + ev->body;
		int tid = ev->tid < 0 ? 0 : ev->tid;
		size_t flen = ev->body ? ev->body - 2 : strcspn(body, " :");
		const char *fn = ev->body ? ev->text : body;

		if (end[i] != UINT64_MAX) {
			bool inv = strncmp(body, "invalidate_range_start", 22) == 0;
			char key[64], name[96];
			span_parse(body, key, sizeof(key));
			if (inv)
				snprintf(name, sizeof(name), "%.95s", body);
			else
				snprintf(name, sizeof(name), "hold %.63s", key);
			outf(&o, ",\n{\"name\":");
			out_json_str(&o, name, SIZE_MAX);
			outf(&o,
			     ",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%llu,\"dur\":%llu,\"pid\":1,"
			     "\"tid\":%d}",
			     inv ? "invalidation" : "lock", (unsigned long long)ev->step,
			     (unsigned long long)(end[i] - ev->step), tid);
		}
		outf(&o, ",\n{\"name\":");
		out_json_str(&o, ev->text, SIZE_MAX);
		outf(&o,
		     ",\"cat\":\"%s\",\"ph\":\"i\",\"s\":\"t\",\"ts\":%llu,\"pid\":1,\"tid\":%d,"
		     "\"args\":{\"function\":",
		     ev->detail ? "detail"
		     : ev->body ? "sync"
				: "model",
		     (unsigned long long)ev->step, tid);
		out_json_str(&o, fn, flen);
		outf(&o, "}}");
	}
	free(end);
	free(evs);
	free(s);
	if (kind) {
		char h[600];
		snprintf(h, sizeof(h), "VIOLATION %s: %s", kind, msg ? msg : "");
		outf(&o, ",\n{\"name\":");
		out_json_str(&o, h, SIZE_MAX);
		outf(&o,
		     ",\"cat\":\"violation\",\"ph\":\"i\",\"s\":\"g\",\"ts\":%llu,\"pid\":1,"
		     "\"tid\":%d}",
		     (unsigned long long)last_step, e->cur ? e->cur->id : 0);
	}
	outf(&o, "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"ts\":\"one microsecond is one "
		 "scheduling step\"}}\n");
	return o.p;
}
