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
 *
 * Beside the events, while tracing: each thread's first event (the report
 * marks each thread's first and last), the preemptions (the scheduler left
 * a thread that could go on: the report marks them in the thread that took
 * over), and what the model noted (sim_note(): frees, mirror entries
 * made), so a report can say where its object was freed or made.  A model event
 * (sim_event()) carries its source location: `--sites` shows it in the
 * report, the Chrome trace always has it.
 */
#include "engine.h"

#include <hmmsim/explore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_HEAD    400
#define TRACE_TAIL    800
#define TRACE_LAST    4
#define TRACE_LOOP    256  /* a power of two */
#define TRACE_PREEMPT 1024 /* the latest preemptions kept */
#define TRACE_NOTES   2048 /* the latest sim_note()s kept */

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
	struct kept_ev first[SIM_MAX_THREADS], first_model[SIM_MAX_THREADS];
	/* preemption k at k % TRACE_PREEMPT: before event idx */
	struct preempt {
		uint64_t idx, step;
		int from, to;
	} preempt[TRACE_PREEMPT];
	uint64_t npreempt;
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
		if (!tk.first[ev->tid].ev.text)
			kept_set(&tk.first[ev->tid], ev, idx);
		if (!ev->detail && !tk.first_model[ev->tid].ev.text)
			kept_set(&tk.first_model[ev->tid], ev, idx);
		kept_set(&tk.last[ev->tid][tk.nlast[ev->tid]++ % TRACE_LAST], ev, idx);
		if (!ev->detail)
			kept_set(&tk.last_model[ev->tid], ev, idx);
	}
	if (ev->body || strncmp(ev->text, "VIOLATION ", 10))
		loop_add(ev); /* the violation ends the trace, not part of a loop */
	if (idx >= TRACE_HEAD && !tk.keep_all)
		free(ev->text);
}

static void trace_add(bool detail, const char *site, const char *file, int line, const char *fmt,
		      va_list ap)
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
	    .file = file,
	    .line = line,
	});
}

void sim_trace(const char *site, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	trace_add(false, site, NULL, 0, fmt, ap);
	va_end(ap);
}

void sim_trace_event_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	trace_add(false, NULL, file, line, fmt, ap);
	va_end(ap);
}

void sim_trace_detail(const char *site, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	trace_add(true, site, NULL, 0, fmt, ap);
	va_end(ap);
}

void sim_trace_preempt(int from, int to)
{
	tk.preempt[tk.npreempt++ % TRACE_PREEMPT] =
	    (struct preempt){.idx = tk.total, .step = sim_eng.steps, .from = from, .to = to};
}

/* ---- notes (sim_note()), for the facts of a report ------------------------------ */

static struct trace_note {
	const void *obj;
	const char *topic;
	uint64_t step, during_step;
	int tid, line;
	const char *file, *func;
	char what[64];
	char during[120]; /* the thread's last model event then */
} notes[TRACE_NOTES];
static uint64_t nnotes;

/* @file from the source root on: hmmsim's build passes -fmacro-prefix-map,
 * so this is for another build's absolute paths. */
static const char *site_file(const char *file)
{
	static const char *const roots[] = {"model/", "sim/", "lab/", "include/", "tests/"};
	for (size_t i = 0; file[0] == '/' && i < sizeof(roots) / sizeof(roots[0]); i++) {
		const char *p = strstr(file, roots[i]);
		if (p && p[-1] == '/')
			return p;
	}
	return file;
}

void sim_note_at(const void *obj, const char *topic, const char *what, const char *file, int line,
		 const char *func)
{
	struct sim_engine *e = &sim_eng;
	if (!e->tracing)
		return;
	struct trace_note *f = &notes[nnotes++ % TRACE_NOTES];
	int tid = e->cur ? e->cur->id : -1;
	const struct kept_ev *last = tid >= 0 ? &tk.last_model[tid] : NULL;

	*f = (struct trace_note){.obj = obj,
				 .topic = topic,
				 .step = e->steps,
				 .tid = tid,
				 .line = line,
				 .file = file,
				 .func = func};
	snprintf(f->what, sizeof(f->what), "%s", what);
	if (last && last->ev.text) {
		snprintf(f->during, sizeof(f->during), "%s", last->ev.text + last->ev.body);
		f->during_step = last->ev.step;
	}
}

void sim_violation_fact_noted(const void *obj, const char *topic, const char *what)
{
	struct sim_engine *e = &sim_eng;
	uint64_t lo = nnotes > TRACE_NOTES ? nnotes - TRACE_NOTES : 0;

	for (uint64_t i = nnotes; i-- > lo;) {
		const struct trace_note *f = &notes[i % TRACE_NOTES];
		if (f->obj != obj || strcmp(f->topic, topic))
			continue;
		char during[160] = "";
		if (f->during[0])
			snprintf(during, sizeof(during), ", after its event \"%s\" (step %llu)",
				 f->during, (unsigned long long)f->during_step);
		sim_violation_fact("%s: %s at step %llu by T%d %s, in %s() at %s:%d%s", topic,
				   f->what, (unsigned long long)f->step, f->tid,
				   f->tid >= 0 ? e->threads[f->tid].name : "?", f->func,
				   site_file(f->file), f->line, during);
		return;
	}
	sim_violation_fact("%s: %s: not in this execution's trace", topic, what);
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
		kept_clear(&tk.first[t]);
		kept_clear(&tk.first_model[t]);
		tk.nlast[t] = 0;
	}
	tk.total = 0;
	tk.npreempt = 0;
	nnotes = 0;
	tk.looped = 0;
	memset(tk.run, 0, sizeof(tk.run));
}

/* ---- the events a report shows ---------------------------------------------- */

#define SEL_MAX (TRACE_HEAD + TRACE_TAIL + SIM_MAX_THREADS * (TRACE_LAST + 3))

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
		if (tk.first[t].ev.text)
			s->v[n++] = &tk.first[t];
		if (tk.first_model[t].ev.text)
			s->v[n++] = &tk.first_model[t];
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

#define COL	 34 /* a thread's column, without a width */
#define MIN_TEXT 24 /* with a width: room left for the last thread's events */

/*
 * One row of the table: @step (or "") then @text at column @indent, as is
 * without a @width; with one, cut at spaces into lines of at most @width
 * columns, the continuation lines indented two more.
 */
static void out_row(struct out *o, const char *step, size_t indent, const char *text,
		    unsigned int width)
{
	size_t len = strlen(text);

	if (!width || 8 + indent + len <= width) {
		outf(o, "%6s  %*s%s\n", step, (int)indent, "", text);
		return;
	}
	for (bool first = true; len; first = false) {
		size_t at = first ? indent : indent + 2;
		size_t room = width > 8 + at + 8 ? width - 8 - at : 8, cut = len;
		if (len > room) {
			const char *mark = strstr(text, "  <- "); /* kept whole */
			cut = room;
			while (cut > room / 2 && text[cut] != ' ')
				cut--;
			if (cut <= room / 2)
				cut = room; /* no space to cut at: mid-word */
			if (mark && (size_t)(mark - text) < cut && (size_t)(mark - text) > room / 4)
				cut = (size_t)(mark - text);
		}
		outf(o, "%6s  %*s%.*s\n", first ? step : "", (int)at, "", (int)cut, text);
		text += cut;
		len -= cut;
		while (*text == ' ')
			text++, len--;
	}
}

/* The loop the trace ends with (before the violation), if it repeats 3 times. */
static void report_loop(struct out *o, unsigned int width)
{
	uint64_t best = 0, cover = 0;
	char line[400];

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
	snprintf(line, sizeof(line),
		 "loop: from step %llu on, one round of %llu event%s (the last: steps %llu to "
		 "%llu) repeats %llu times",
		 (unsigned long long)tk.start[best], (unsigned long long)best, best == 1 ? "" : "s",
		 (unsigned long long)tk.step[(n - best) & mask],
		 (unsigned long long)tk.step[(n - 1) & mask], (unsigned long long)(cover / best));
	outf(o, "\n");
	if (!width)
		outf(o, "%s\n", line);
	else /* out_row() without its step column */
		for (const char *p = line; *p;) {
			size_t len = strlen(p), cut = len;
			if (len > width) {
				for (cut = width; cut > width / 2 && p[cut] != ' '; cut--)
					;
				if (cut <= width / 2)
					cut = width;
			}
			outf(o, "%.*s\n", (int)cut, p);
			for (p += cut; *p == ' '; p++)
				;
		}
}

/* The report's layout: a column per thread, @colw wide. */
struct layout {
	int nthreads;
	size_t colw;
	unsigned int width;
	bool brief, sites;
	uint64_t first[SIM_MAX_THREADS], last[SIM_MAX_THREADS]; /* trace indices */
};

static void layout_init(struct layout *l, const struct selection *s, bool brief, bool sites,
			unsigned int width)
{
	struct sim_engine *e = &sim_eng;

	*l = (struct layout){
	    .nthreads = e->nthreads, .colw = COL, .width = width, .brief = brief, .sites = sites};
	if (width && l->nthreads > 1) {
		size_t room = width > 8 + MIN_TEXT ? width - 8 - MIN_TEXT : 0;
		size_t w = room / (size_t)(l->nthreads - 1);
		l->colw = w > COL ? COL : w < 2 ? 2 : w;
	}
	for (int t = 0; t < l->nthreads; t++) {
		const struct kept_ev *f = brief ? &tk.first_model[t] : &tk.first[t];
		l->first[t] = f->ev.text ? f->idx : UINT64_MAX;
		l->last[t] = UINT64_MAX;
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->ev.tid >= 0 && !(brief && s->v[i]->ev.detail))
			l->last[s->v[i]->ev.tid] = s->v[i]->idx;
}

/* "step  T0 main    T1 device ...", each name cut to its column. */
static void report_header(struct out *o, const struct layout *l)
{
	struct sim_engine *e = &sim_eng;

	outf(o, "%6s  ", "step");
	for (int t = 0; t < l->nthreads; t++) {
		bool lastcol = t + 1 == l->nthreads;
		size_t used = 8 + (size_t)t * l->colw;
		size_t room = !l->width		    ? COL
			      : !lastcol	    ? l->colw - 1
			      : l->width > used + 4 ? l->width - used
						    : 4;
		char h[COL + 200];
		snprintf(h, sizeof(h), "T%d %s", t, e->threads[t].name);
		if (strlen(h) > room)
			h[room] = 0;
		outf(o, "%-*s", lastcol ? 0 : (int)l->colw, h);
	}
	outf(o, "\n");
}

/* The event @k as its row: its text, its site, first and last marks. */
static void report_event(struct out *o, const struct layout *l, const struct kept_ev *k)
{
	const struct sim_trace_ev *ev = &k->ev;
	int col = ev->tid < 0 ? 0 : ev->tid;
	bool first = ev->tid >= 0 && l->first[ev->tid] == k->idx;
	bool last = ev->tid >= 0 && l->last[ev->tid] == k->idx;
	char step[24], *text;
	size_t n = strlen(ev->text) + 64 + (ev->file ? strlen(ev->file) : 0);

	text = malloc(n);
	if (!text)
		sim_oom("the text of a report");
	snprintf(step, sizeof(step), "%llu", (unsigned long long)ev->step);
	int at = snprintf(text, n, "%s", ev->text);
	if (l->sites && ev->file)
		at +=
		    snprintf(text + at, n - (size_t)at, "  (%s:%d)", site_file(ev->file), ev->line);
	snprintf(text + at, n - (size_t)at, "%s",
		 first && last ? "  <- first, last"
		 : first       ? "  <- first"
		 : last	       ? "  <- last"
			       : "");
	out_row(o, step, (size_t)col * l->colw, text, l->width);
	free(text);
}

/* The preemptions recorded before trace index @upto, from *@next on. */
static void report_preempts(struct out *o, const struct layout *l, uint64_t *next, uint64_t upto)
{
	struct sim_engine *e = &sim_eng;
	uint64_t lo = tk.npreempt > TRACE_PREEMPT ? tk.npreempt - TRACE_PREEMPT : 0;

	if (*next < lo)
		*next = lo;
	for (; *next < tk.npreempt; ++*next) {
		const struct preempt *p = &tk.preempt[*next % TRACE_PREEMPT];
		char step[24], text[160];
		if (p->idx > upto)
			break;
		snprintf(step, sizeof(step), "%llu", (unsigned long long)p->step);
		snprintf(text, sizeof(text), ">> preempts T%d %s, which could go on", p->from,
			 e->threads[p->from].name);
		out_row(o, step, (size_t)p->to * l->colw, text, l->width);
	}
}

/*
 * One row per event, indented into its thread's column, so a long event
 * never collides with another; each thread's first and last event is
 * marked, and each preemption gets a row (">> preempts T1 ...") in the
 * column of the thread that took over.  @brief leaves out atomics and
 * annotated accesses (model events, locks and waits stay); @sites adds
 * model events' source locations; @width (0: none) fits the rows to that
 * many columns, narrowing the thread columns and cutting long events into
 * lines.  A long trace is shown bounded (see the top of this file).
 */
char *sim_trace_report(bool brief, bool sites, unsigned int width)
{
	struct out o = {0};
	struct selection *s = selection_new();
	struct layout *l = malloc(sizeof(*l));
	uint64_t next_preempt = 0;
	bool gaps = false;

	if (!l)
		sim_oom("a report's layout");
	layout_init(l, s, brief, sites, width);
	report_header(&o, l);
	for (size_t i = 0; i < s->n; i++) {
		const struct sim_trace_ev *ev = &s->v[i]->ev;
		uint64_t gap = s->v[i]->idx - (i ? s->v[i - 1]->idx + 1 : 0);
		if (gap) {
			char line[200];
			snprintf(line, sizeof(line),
				 "... %llu event%s left out, steps %llu to %llu (--trace-out FILE "
				 "writes every event)",
				 (unsigned long long)gap, gap == 1 ? "" : "s",
				 (unsigned long long)(i ? s->v[i - 1]->ev.step : 0),
				 (unsigned long long)ev->step);
			out_row(&o, "", 0, line, width);
			gaps = true;
		}
		report_preempts(&o, l, &next_preempt, s->v[i]->idx);
		if (brief && ev->detail)
			continue;
		report_event(&o, l, s->v[i]);
	}
	report_preempts(&o, l, &next_preempt, UINT64_MAX);
	if (gaps)
		report_loop(&o, width);
	free(l);
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

/* The preemptions kept, as instant events on the thread that took over. */
static void chrome_preempts(struct out *o)
{
	struct sim_engine *e = &sim_eng;

	for (uint64_t k = tk.npreempt > TRACE_PREEMPT ? tk.npreempt - TRACE_PREEMPT : 0;
	     k < tk.npreempt; k++) {
		const struct preempt *p = &tk.preempt[k % TRACE_PREEMPT];
		char h[96];
		snprintf(h, sizeof(h), "preempts T%d %s", p->from, e->threads[p->from].name);
		outf(o, ",\n{\"name\":");
		out_json_str(o, h, SIZE_MAX);
		outf(o,
		     ",\"cat\":\"preemption\",\"ph\":\"i\",\"s\":\"t\",\"ts\":%llu,\"pid\":1,"
		     "\"tid\":%d,\"args\":{\"preempted\":%d}}",
		     (unsigned long long)p->step, p->to, p->from);
	}
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
		if (ev->file)
			outf(&o, ",\"site\":\"%s:%d\"", site_file(ev->file), ev->line);
		outf(&o, "}}");
	}
	chrome_preempts(&o);
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
