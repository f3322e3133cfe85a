// SPDX-License-Identifier: MIT
/*
 * Swimlanes: a reported execution's Chrome trace (sim_trace_chrome()) read
 * back and drawn as a table, one row per event, one column per thread (the
 * event's text in its thread's column), and beside each thread's column
 * lanes of bars: a lock hold or an invalidation is a cell spanning the rows
 * from its start to its end.  Its own reader of the trace's JSON (strings,
 * numbers, literals, nested objects and arrays; only the members the trace
 * has are kept) keeps the engine out of HTML.
 *
 * Preemptions are the trace's own preemption events (category "preemption",
 * sim_trace_preempt()) when it has them; an older trace's are inferred: a row where the scheduler
 * moved from thread A to thread B while A had not blocked (its event before the switch does not
 * wait), exited, or yielded (its next event is the yield: sim_yield() traces it when the thread
 * runs again).  A thread that never runs again is not marked: whether it yielded is not in the
 * trace.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "html.h"

#define LANES_MAX_THREADS 64
#define LANES_MAX_ROWS	  5000 /* beyond: the rest is said to be left out */
#define LANES_MAX_BARS	  8    /* bar lanes per thread */

struct tev {
	char ph;
	bool detail, violation;
	int tid;
	uint64_t ts, dur;
	char *name, *cat, *arg_name;
};

struct trace {
	struct tev *ev;
	size_t n, cap;
	char *thread[LANES_MAX_THREADS];
	int nthreads;
};

/* ---- reading the JSON ------------------------------------------------------ */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* A string literal at @p: its value (malloc'd) in *@out if @out; the text
 * after it, or NULL. */
static const char *jstr(const char *p, char **out)
{
	const char *s = p;
	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && !*++p)
			return NULL;
	if (!*p)
		return NULL;
	if (out) {
		*out = cli_json_unstr(s, p + 1);
		if (!*out)
			return NULL;
	}
	return p + 1;
}

static const char *jskip(const char *p, int depth);

/* The members or elements of the object or array at @p, skipped. */
static const char *jskip_group(const char *p, int depth)
{
	char close = *p == '{' ? '}' : ']';
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = jstr(ws(p), NULL);
			if (!p || *(p = ws(p)) != ':')
				return NULL;
			p++;
		}
		p = jskip(ws(p), depth + 1);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

static const char *jskip(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	if (*p == '"')
		return jstr(p, NULL);
	if (*p == '{' || *p == '[')
		return jskip_group(p, depth);
	const char *s = p;
	while (*p && strchr("-+.0123456789eEtruefalsn", *p))
		p++;
	return p > s ? p : NULL;
}

static const char *jnum(const char *p, uint64_t *out)
{
	char *end;
	double d = strtod(p, &end);
	if (end == p)
		return NULL;
	*out = d < 0 ? 0 : (uint64_t)d;
	return end;
}

/* The "args" object of an event: its "name" member (a thread's name). */
static const char *jargs(const char *p, struct tev *e)
{
	if (*p != '{')
		return jskip(p, 1);
	p = ws(p + 1);
	while (*p == '"') {
		char *key;
		p = jstr(p, &key);
		if (!p || *(p = ws(p)) != ':') {
			free(key);
			return NULL;
		}
		p = ws(p + 1);
		if (strcmp(key, "name") == 0 && *p == '"' && !e->arg_name)
			p = jstr(p, &e->arg_name);
		else
			p = jskip(p, 2);
		free(key);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p == ',')
			p = ws(p + 1);
	}
	return *p == '}' ? p + 1 : NULL;
}

/* One member @key of an event at @p. */
static const char *jmember(const char *p, const char *key, struct tev *e)
{
	char *s = NULL;
	uint64_t v = 0;

	if (strcmp(key, "args") == 0)
		return jargs(p, e);
	if (strcmp(key, "name") == 0 || strcmp(key, "cat") == 0 || strcmp(key, "ph") == 0) {
		if (*p != '"')
			return jskip(p, 1);
		p = jstr(p, &s);
		if (key[0] == 'n')
			free(e->name), e->name = s;
		else if (key[0] == 'c')
			free(e->cat), e->cat = s;
		else if (s)
			e->ph = s[0], free(s);
		return p;
	}
	if (strcmp(key, "ts") == 0 || strcmp(key, "dur") == 0 || strcmp(key, "tid") == 0) {
		p = jnum(p, &v);
		if (key[0] == 'd')
			e->dur = v;
		else if (key[1] == 's')
			e->ts = v;
		else
			e->tid = v < LANES_MAX_THREADS ? (int)v : 0;
		return p;
	}
	return jskip(p, 1);
}

static const char *jevent(const char *p, struct tev *e)
{
	if (*p != '{')
		return NULL;
	p = ws(p + 1);
	while (*p == '"') {
		char *key;
		p = jstr(p, &key);
		if (!p || *(p = ws(p)) != ':') {
			free(key);
			return NULL;
		}
		p = jmember(ws(p + 1), key, e);
		free(key);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p == ',')
			p = ws(p + 1);
	}
	return *p == '}' ? p + 1 : NULL;
}

static void tev_free(struct tev *e)
{
	free(e->name);
	free(e->cat);
	free(e->arg_name);
}

/* An event read: a thread's name is kept, an instant or a span appended. */
static void trace_add(struct trace *t, struct tev *e)
{
	if (e->ph == 'M') {
		if (e->name && strcmp(e->name, "thread_name") == 0 && e->arg_name &&
		    !t->thread[e->tid]) {
			t->thread[e->tid] = e->arg_name;
			e->arg_name = NULL;
			if (e->tid >= t->nthreads)
				t->nthreads = e->tid + 1;
		}
		tev_free(e);
		return;
	}
	if ((e->ph != 'i' && e->ph != 'X') || !e->name) {
		tev_free(e);
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->ev = realloc(t->ev, t->cap * sizeof(*t->ev));
		if (!t->ev)
			cli_oom("the swimlanes of a report");
	}
	e->detail = e->cat && strcmp(e->cat, "detail") == 0;
	e->violation = e->cat && strcmp(e->cat, "violation") == 0;
	if (e->tid >= t->nthreads)
		t->nthreads = e->tid + 1;
	t->ev[t->n++] = *e;
}

static void trace_free(struct trace *t)
{
	for (size_t i = 0; i < t->n; i++)
		tev_free(&t->ev[i]);
	free(t->ev);
	for (int i = 0; i < LANES_MAX_THREADS; i++)
		free(t->thread[i]);
}

/* Read @json's traceEvents into @t: 0, or -1 when it is not such a trace. */
static int trace_read(const char *json, struct trace *t)
{
	const char *p = ws(json);
	if (*p != '{')
		return -1;
	p = ws(p + 1);
	while (*p == '"') {
		char *key;
		p = jstr(p, &key);
		if (!p || *(p = ws(p)) != ':') {
			free(key);
			return -1;
		}
		p = ws(p + 1);
		bool events = strcmp(key, "traceEvents") == 0 && *p == '[';
		free(key);
		if (!events) {
			p = jskip(p, 1);
		} else {
			for (p = ws(p + 1); p && *p == '{'; p = ws(p)) {
				struct tev e = {0};
				p = jevent(p, &e);
				if (!p) {
					tev_free(&e);
					return -1;
				}
				trace_add(t, &e);
				p = ws(p);
				if (*p == ',')
					p++;
			}
			if (!p || *p != ']')
				return -1;
			p++;
		}
		if (!p)
			return -1;
		p = ws(p);
		if (*p == ',')
			p = ws(p + 1);
	}
	return *p == '}' ? 0 : -1;
}

/* ---- the table ------------------------------------------------------------- */

/* A row: an instant event; a bar: a span over rows [first, last] in a lane. */
struct row {
	const struct tev *ev;
	unsigned int marks; /* ROW_* */
	int preempted;	    /* the thread switched away from, or -1 */
};
enum { ROW_FIRST = 1, ROW_LAST = 2, ROW_PREEMPT = 4 };

struct bar {
	const struct tev *ev;
	size_t first, last;
	int lane;
};

struct lanes {
	struct row *rows;
	size_t nrows;
	struct bar *bars;
	size_t nbars;
	int nlanes[LANES_MAX_THREADS];
	/* the bar starting at (row, thread, lane), or covering it: by row */
	const struct bar **cell; /* nrows * nthreads * LANES_MAX_BARS */
	int nthreads;
};

static const struct bar **lane_cell(struct lanes *l, size_t row, int tid, int lane)
{
	return &l->cell[(row * (size_t)l->nthreads + (size_t)tid) * LANES_MAX_BARS + (size_t)lane];
}

/* Does event text @s say its thread blocked or ended there? */
static bool stops_thread(const char *s)
{
	return strstr(s, ": waits") || strcmp(s, "exit") == 0 || strstr(s, "VIOLATION");
}

/* The row of thread @tid's next event after row @i, or @n. */
static size_t next_of(const struct lanes *l, size_t i, int tid)
{
	while (++i < l->nrows && l->rows[i].ev->tid != tid)
		;
	return i;
}

/* Was the switch from thread @prev (last event @text) to row @i's thread a
 * preemption?  Not when @prev blocked or ended there, and not when it
 * yielded: a yield is traced when the thread comes back, as its next event. */
static bool preempted(const struct lanes *l, size_t i, int prev, const char *text)
{
	size_t nx = next_of(l, i, prev);
	/* a thread that never runs again may have yielded: not known */
	if (nx >= l->nrows || stops_thread(text))
		return false;
	const char *body = strstr(l->rows[nx].ev->name, ": ");
	return !(body && strcmp(body + 2, "yield") == 0);
}

/* First and last rows of each thread, and the inferred preemptions. */
static void lanes_mark(struct lanes *l)
{
	size_t first[LANES_MAX_THREADS], last[LANES_MAX_THREADS];
	int prev = -1;
	const char *prev_text = NULL;

	for (int t = 0; t < LANES_MAX_THREADS; t++)
		first[t] = last[t] = SIZE_MAX;
	for (size_t i = 0; i < l->nrows; i++) {
		int t = l->rows[i].ev->tid;
		if (first[t] == SIZE_MAX)
			first[t] = i;
		last[t] = i;
	}
	/* the engine's own preemption events (sim_trace_preempt()), when the
	 * trace has them, are the marks; else they are inferred */
	bool engine_marks = false;
	for (size_t i = 0; i < l->nrows && !engine_marks; i++)
		engine_marks = l->rows[i].ev->cat && strcmp(l->rows[i].ev->cat, "preemption") == 0;
	for (size_t i = 0; i < l->nrows; i++) {
		const struct tev *e = l->rows[i].ev;
		l->rows[i].preempted = -1;
		if (first[e->tid] == i)
			l->rows[i].marks |= ROW_FIRST;
		if (last[e->tid] == i)
			l->rows[i].marks |= ROW_LAST;
		if (engine_marks) {
			const char *t = strstr(e->name, "preempts T");
			if (e->cat && strcmp(e->cat, "preemption") == 0 && t) {
				l->rows[i].marks |= ROW_PREEMPT;
				l->rows[i].preempted = atoi(t + strlen("preempts T"));
			}
		} else if (prev >= 0 && prev != e->tid && preempted(l, i, prev, prev_text)) {
			l->rows[i].marks |= ROW_PREEMPT;
			l->rows[i].preempted = prev;
		}
		prev = e->tid;
		prev_text = e->name;
	}
}

/* The row of the last instant event at or before step @end of thread @tid,
 * from row @from on. */
static size_t bar_last_row(const struct lanes *l, size_t from, int tid, uint64_t end)
{
	size_t last = from;
	for (size_t i = from; i < l->nrows && l->rows[i].ev->ts <= end; i++)
		if (l->rows[i].ev->tid == tid)
			last = i;
	return last;
}

/* Each span a bar over its rows, in the first lane of its thread free there. */
static int lanes_bars(struct lanes *l, const struct trace *t)
{
	size_t row = 0;
	l->bars = calloc(t->n + 1, sizeof(*l->bars));
	l->cell = calloc(l->nrows * (size_t)l->nthreads * LANES_MAX_BARS + 1, sizeof(*l->cell));
	if (!l->bars || !l->cell)
		cli_oom("the swimlanes of a report");
	for (size_t i = 0; i < t->n; i++) {
		const struct tev *e = &t->ev[i];
		if (e->ph != 'X') {
			if (e->ph == 'i' && row < l->nrows && l->rows[row].ev == e)
				row++;
			continue;
		}
		if (row >= l->nrows)
			break;
		struct bar *b = &l->bars[l->nbars];
		b->ev = e;
		b->first = row; /* the span comes just before its instant event */
		b->last = bar_last_row(l, row, e->tid, e->ts + e->dur);
		for (b->lane = 0; b->lane < LANES_MAX_BARS; b->lane++) {
			bool free_lane = true;
			for (size_t r = b->first; r <= b->last && free_lane; r++)
				free_lane = !*lane_cell(l, r, e->tid, b->lane);
			if (free_lane)
				break;
		}
		if (b->lane == LANES_MAX_BARS)
			continue; /* too deeply nested to draw */
		for (size_t r = b->first; r <= b->last; r++)
			*lane_cell(l, r, e->tid, b->lane) = b;
		if (b->lane + 1 > l->nlanes[e->tid])
			l->nlanes[e->tid] = b->lane + 1;
		l->nbars++;
	}
	return 0;
}

static void lanes_head(FILE *f, const struct lanes *l, const struct trace *t)
{
	fputs("<thead><tr><th>step</th>", f);
	for (int tid = 0; tid < l->nthreads; tid++) {
		fprintf(f, "<th colspan=\"%d\" class=\"thread\" data-tid=\"%d\">",
			l->nlanes[tid] + 1, tid);
		if (t->thread[tid])
			html_esc(f, t->thread[tid]);
		else
			fprintf(f, "T%d", tid);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n", f);
}

/* The bar cells of thread @tid in row @i: a cell that starts a bar spans
 * its rows, a covered one is left out, a free one is empty. */
static void lanes_bar_cells(FILE *f, struct lanes *l, size_t i, int tid)
{
	for (int k = 0; k < l->nlanes[tid]; k++) {
		const struct bar *b = *lane_cell(l, i, tid, k);
		if (!b) {
			fputs("<td class=\"nobar\"></td>", f);
			continue;
		}
		if (b->first != i)
			continue;
		bool inv = b->ev->cat && strcmp(b->ev->cat, "invalidation") == 0;
		const char *label = b->ev->name;
		if (strncmp(label, "hold ", 5) == 0)
			label += 5;
		fprintf(f, "<td class=\"bar %s\" rowspan=\"%zu\" title=\"",
			inv ? "invalidation" : "lock", b->last - b->first + 1);
		html_esc(f, b->ev->name);
		fprintf(f, " (steps %llu to %llu)\"><span>", (unsigned long long)b->ev->ts,
			(unsigned long long)(b->ev->ts + b->ev->dur));
		/* a label only where the bar is long enough for it: a longer one
		 * would stretch its rows */
		if (inv)
			label = "invalidate";
		if ((b->last - b->first + 1) * 2 >= strlen(label) + 1)
			html_esc(f, label);
		fputs("</span></td>", f);
	}
}

static void lanes_row(FILE *f, struct lanes *l, size_t i)
{
	const struct row *r = &l->rows[i];
	const struct tev *e = r->ev;

	fprintf(f, "<tr class=\"ev%s%s\" data-tid=\"%d\"><td class=\"step\">%llu</td>",
		e->detail ? " detail" : "", r->marks & ROW_PREEMPT ? " preempt" : "", e->tid,
		(unsigned long long)e->ts);
	for (int tid = 0; tid < l->nthreads; tid++) {
		lanes_bar_cells(f, l, i, tid);
		if (tid != e->tid) {
			fputs("<td class=\"ev\"></td>", f);
			continue;
		}
		fputs("<td class=\"ev\">", f);
		html_esc(f, e->name);
		if (r->marks & ROW_PREEMPT)
			fprintf(f, "<span class=\"mark preempted\">preempts T%d</span>",
				r->preempted);
		if (r->marks & ROW_FIRST)
			fputs("<span class=\"mark first\">first</span>", f);
		if (r->marks & ROW_LAST)
			fputs("<span class=\"mark last\">last</span>", f);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

static void lanes_table(FILE *f, struct lanes *l, const struct trace *t, const char *id,
			const struct tev *violation)
{
	int cols = 1;
	for (int tid = 0; tid < l->nthreads; tid++)
		cols += l->nlanes[tid] + 1;
	fprintf(f,
		"<div class=\"swimlanes\">\n<input type=\"checkbox\" class=\"hidedetail\" "
		"id=\"%s-detail\"><label for=\"%s-detail\"> hide atomics and annotated "
		"accesses</label>\n<p class=\"legend\"><span class=\"mark first\">first</span>"
		"<span class=\"mark last\">last</span> a thread's first and last event "
		"<span class=\"mark preempted\">preempts</span> a switch away from a thread "
		"that had not blocked, yielded or ended (read from the trace) "
		"<span style=\"background:#8fb8e8\">lock held</span>"
		"<span style=\"background:#f2a65a\">invalidation in progress</span></p>\n"
		"<table class=\"lanes\" id=\"%s-lanes\">\n",
		id, id, id);
	lanes_head(f, l, t);
	fputs("<tbody>\n", f);
	for (size_t i = 0; i < l->nrows; i++)
		lanes_row(f, l, i);
	if (violation) {
		fprintf(f,
			"<tr class=\"violation\"><td class=\"step\">%llu</td><td colspan=\"%d\">",
			(unsigned long long)violation->ts, cols - 1);
		html_esc(f, violation->name);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n</div>\n", f);
}

void html_swimlanes(FILE *f, const char *trace_json, const char *id)
{
	struct trace t = {0};
	struct lanes l = {0};
	const struct tev *violation = NULL;
	size_t left_out = 0;

	if (!trace_json || trace_read(trace_json, &t)) {
		fputs("<p>the trace of this report could not be read</p>\n", f);
		trace_free(&t);
		return;
	}
	l.nthreads = t.nthreads ? t.nthreads : 1;
	l.rows = calloc(t.n + 1, sizeof(*l.rows));
	if (!l.rows)
		cli_oom("the swimlanes of a report");
	for (size_t i = 0; i < t.n; i++) {
		if (t.ev[i].ph != 'i')
			continue;
		if (t.ev[i].violation)
			violation = &t.ev[i];
		else if (l.nrows < LANES_MAX_ROWS)
			l.rows[l.nrows++].ev = &t.ev[i];
		else
			left_out++;
	}
	lanes_mark(&l);
	lanes_bars(&l, &t);
	lanes_table(f, &l, &t, id, violation);
	if (left_out)
		fprintf(f,
			"<p>%zu more events left out of the swimlanes (the text report and "
			"--trace-out have them)</p>\n",
			left_out);
	free(l.rows);
	free(l.bars);
	free(l.cell);
	trace_free(&t);
}
