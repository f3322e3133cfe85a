// SPDX-License-Identifier: MIT
/*
 * The matrix pages: `experiment owner --html` (owner policies × lab
 * scenarios) and `catalog --html` (entries × {bug, fix}).  One cell per
 * (row, column), coloured by its verdict class, with its cost counters; a
 * violation cell shows its replay command and links to its report, a
 * section further down the same page.
 */
#include <hmmsim/explore.h>
#include <hmmsim/switches.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "html.h"

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		cli_oom("a cell of an HTML report");
	return d;
}

void html_bound(struct html_cell *c, int bound)
{
	if (bound < 0)
		html_cell_counter(c, "bound", "none");
	else
		html_cell_counter(c, "bound", "%d", bound);
}

void html_cell_counter(struct html_cell *c, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (c->ncounters == HTML_COUNTERS)
		return;
	va_start(ap, fmt);
	vsnprintf(c->cval[c->ncounters], sizeof(c->cval[0]), fmt, ap);
	va_end(ap);
	c->cname[c->ncounters++] = name;
}

void html_cell_take(struct html_cell *c, const struct sim_result *r)
{
	if (!r->nr_reports)
		return;
	const struct sim_violation *v = &r->reports[0];
	free(c->message);
	free(c->report);
	free(c->trace_json);
	free(c->schedule);
	c->message = dup_or_null(v->message);
	c->schedule = dup_or_null(v->schedule);
	c->report = dup_or_null(v->report);
	c->trace_json = dup_or_null(v->trace_json);
	c->steps = v->steps;
	c->preemptions = v->preemptions;
	snprintf(c->verdict, sizeof(c->verdict), "%s", v->kind);
}

void html_cell_free(struct html_cell *c)
{
	free(c->message);
	free(c->replay);
	free(c->report);
	free(c->trace_json);
	free(c->how);
	free(c->schedule);
	c->message = c->replay = c->report = c->trace_json = c->how = c->schedule = NULL;
}

int html_cell_replay(struct html_cell *c, const struct sim_scenario *sc, const char *sw,
		     const char *schedule)
{
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_REPLAY,
	    .schedule = schedule,
	    .brief = true,
	};
	struct sim_result r;

	if (sw)
		hs_switch_set(sw, true);
	int ret = sim_explore(sc, &o, &r);
	if (sw)
		hs_switch_set(sw, false);
	if (ret || !r.nr_reports) {
		if (!ret)
			sim_result_free(&r);
		return -1;
	}
	html_cell_take(c, &r);
	sim_result_free(&r);
	return 0;
}

static bool is_violation(const struct html_cell *c)
{
	return strcmp(c->vclass, "verdict-violation") == 0;
}

static void matrix_cell(FILE *f, const struct html_matrix *m, size_t r, size_t c)
{
	const struct html_cell *x = &m->cells[r * m->ncols + c];

	fprintf(f, "<td class=\"cell %s%s%s%s\" id=\"cell-%zu-%zu\" ", x->vclass,
		x->mark ? " " : "", x->mark ? x->mark : "", x->ok ? "" : " not-ok", r, c);
	if (x->mark) /* "clean-exhaustive" -> data-clean="exhaustive" */
		fprintf(f, "data-clean=\"%s\" ", strchr(x->mark, '-') + 1);
	fputs("data-row=\"", f);
	html_esc(f, m->rows[r]);
	fputs("\" data-col=\"", f);
	html_esc(f, m->cols[c]);
	fputs("\" data-verdict=\"", f);
	html_esc(f, x->verdict);
	fputs("\"><div class=\"v\">", f);
	html_esc(f, x->verdict);
	if (!x->ok)
		fputs(" (not as expected)", f);
	fputs("</div>\n<dl>", f);
	for (unsigned int k = 0; k < x->ncounters; k++) {
		bool timing = strcmp(x->cname[k], "seconds") == 0;
		fprintf(f, "<div><dt>%s</dt><dd%s>", x->cname[k],
			timing ? " class=\"timing\"" : "");
		html_esc(f, x->cval[k]);
		fputs("</dd></div>", f);
	}
	fputs("</dl>\n", f);
	if (is_violation(x)) {
		fprintf(f, "<a class=\"report-link\" href=\"#report-%zu-%zu\">report</a>\n", r, c);
		if (x->replay) {
			fputs("<code class=\"replay\">", f);
			html_esc(f, x->replay);
			fputs("</code>\n", f);
		}
	}
	fputs("</td>\n", f);
}

/* How many cells have class @vclass (or mark @vclass). */
static size_t matrix_count(const struct html_matrix *m, const char *vclass)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nrows * m->ncols; i++) {
		const struct html_cell *x = &m->cells[i];
		n += strcmp(x->vclass, vclass) == 0 || (x->mark && strcmp(x->mark, vclass) == 0);
	}
	return n;
}

static void matrix_table(FILE *f, const struct html_matrix *m)
{
	fprintf(f,
		"<p class=\"summary\">%zu cells: <span class=\"banner verdict-clean\">%zu "
		"clean</span> <span class=\"banner verdict-violation\">%zu violation</span>",
		m->nrows * m->ncols, matrix_count(m, "verdict-clean"),
		matrix_count(m, "verdict-violation"));
	if (matrix_count(m, "clean-exhaustive") + matrix_count(m, "clean-sampled"))
		fprintf(f,
			" (clean: <span class=\"clean-exhaustive\">%zu exhaustive</span>, "
			"<span class=\"clean-sampled\">%zu sampled</span>)",
			matrix_count(m, "clean-exhaustive"), matrix_count(m, "clean-sampled"));
	if (matrix_count(m, "verdict-missed"))
		fprintf(f, " <span class=\"banner verdict-missed\">%zu bug not found</span>",
			matrix_count(m, "verdict-missed"));
	fputs("</p>\n<table class=\"matrix\" id=\"matrix\">\n<thead><tr><th>", f);
	html_esc(f, m->row_head);
	fputs(" \\ ", f);
	html_esc(f, m->col_head);
	fputs("</th>", f);
	for (size_t c = 0; c < m->ncols; c++) {
		fputs("<th class=\"col\">", f);
		html_esc(f, m->cols[c]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t r = 0; r < m->nrows; r++) {
		fputs("<tr><th class=\"row\">", f);
		html_esc(f, m->rows[r]);
		fputs("</th>\n", f);
		for (size_t c = 0; c < m->ncols; c++)
			matrix_cell(f, m, r, c);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

void html_matrix_page(FILE *f, const struct html_matrix *m)
{
	char id[64], heading[256];

	html_begin(f, m->title);
	if (m->intro) {
		fputs("<p>", f);
		html_esc(f, m->intro);
		fputs("</p>\n", f);
	}
	if (m->params) {
		fputs("<p class=\"params\">", f);
		html_esc(f, m->params);
		fputs("</p>\n", f);
	}
	matrix_table(f, m);
	fputs("<h2>Reports</h2>\n", f);
	for (size_t r = 0; r < m->nrows; r++)
		for (size_t c = 0; c < m->ncols; c++) {
			const struct html_cell *x = &m->cells[r * m->ncols + c];
			if (!is_violation(x))
				continue;
			snprintf(id, sizeof(id), "report-%zu-%zu", r, c);
			snprintf(heading, sizeof(heading), "%s × %s", m->rows[r], m->cols[c]);
			struct html_violation v = {
			    .id = id,
			    .heading = heading,
			    .kind = x->verdict,
			    .message = x->message,
			    .how = x->how,
			    .replay = x->replay,
			    .report = x->report,
			    .trace_json = x->trace_json,
			    .steps = x->steps,
			    .preemptions = x->preemptions,
			};
			html_violation(f, &v);
		}
	html_end(f);
}
