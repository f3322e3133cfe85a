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
	    .body = site ? (unsigned int)strlen(site) + 2 : 0,
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
	uint64_t *end = malloc((e->ntrace + 1) * sizeof(*end));
	struct span_open *open = NULL;
	size_t nopen = 0, capopen = 0;
	uint64_t last_step = e->ntrace ? e->trace[e->ntrace - 1].step : 0;

	if (!end)
		abort();
	for (size_t i = 0; i < e->ntrace; i++) {
		const struct sim_trace_ev *ev = &e->trace[i];
		char key[64];
		enum span_what w = span_parse(ev->text + ev->body, key, sizeof(key));
		end[i] = UINT64_MAX;
		if (w == SPAN_BEGIN) {
			if (nopen == capopen) {
				capopen = capopen ? 2 * capopen : 16;
				open = realloc(open, capopen * sizeof(*open));
				if (!open)
					abort();
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
	for (size_t i = 0; i < e->ntrace; i++) {
		const struct sim_trace_ev *ev = &e->trace[i];
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
