// SPDX-License-Identifier: MIT
/*
 * The HTML page, a violation's section and the page of explore, replay and
 * minimize (html.h says what each file of the HTML report does).  The style
 * is inline and the page has no script: it renders the same everywhere and
 * references nothing outside itself.
 */
#include <hmmsim/explore.h>
#include <hmmsim/version.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "html.h"

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}\n"
    "header{background:#1d2330;color:#fff;padding:10px 20px}\n"
    "header h1{font-size:19px;margin:0}\n"
    "#version{font:12px monospace;color:#c8d0e0}\n"
    "main{padding:12px 20px}\n"
    "h2{font-size:17px;margin:22px 0 6px}h3{font-size:15px;margin:14px 0 4px}\n"
    "code,pre{font:12px/1.35 monospace}\n"
    "pre.report{background:#fff;border:1px solid #d6dbe3;padding:8px;overflow-x:auto}\n"
    ".replay{background:#eef2f8;border:1px solid #c4cddb;padding:4px 8px;display:block;"
    "white-space:pre-wrap;word-break:break-all}\n"
    ".banner{padding:8px 12px;border-radius:4px;font-weight:600;margin:8px 0}\n"
    ".verdict-clean{background:#d8f0dc;color:#124a1e}\n"
    ".verdict-violation{background:#f9d6d5;color:#6b1210}\n"
    ".verdict-missed{background:#fde8c4;color:#5d3b00}\n"
    ".verdict-error{background:#e2e2e2;color:#333}\n"
    ".facts li{font-family:monospace;font-size:12px}\n"
    "table{border-collapse:collapse}\n"
    "table.lanes td,table.lanes th{padding:0 4px;font:11px/1.3 monospace;"
    "vertical-align:top;white-space:pre}\n"
    "table.lanes th{position:sticky;top:0;background:#1d2330;color:#fff;text-align:left}\n"
    "table.lanes td.step{color:#778;text-align:right}\n"
    "table.lanes td.ev{border-left:1px solid #e3e6ec;min-width:12em}\n"
    "table.lanes td.bar{width:9px;min-width:9px;max-width:9px;padding:0;"
    "border-left:1px solid #fff}\n"
    "table.lanes td.bar span{writing-mode:vertical-rl;font-size:9px;line-height:9px;"
    "overflow:hidden;display:block;max-height:100%}\n"
    "td.bar.lock{background:#8fb8e8}td.bar.invalidation{background:#f2a65a}\n"
    "tr.detail{color:#99a}\n"
    "input.hidedetail:checked~table tr.detail{display:none}\n"
    "tr.preempt td{border-top:2px dashed #d33}\n"
    "td.ev .mark{font:10px sans-serif;border-radius:3px;padding:0 3px;margin-left:4px}\n"
    ".mark.preempted{background:#d33;color:#fff}.mark.first{background:#3a7;color:#fff}\n"
    ".mark.last{background:#667;color:#fff}\n"
    "tr.violation td{background:#f9d6d5;font-weight:600}\n"
    ".legend span{display:inline-block;padding:0 6px;margin-right:6px;font-size:12px}\n"
    "table.matrix th,table.matrix td{border:1px solid #c9ced8;padding:4px 6px;"
    "vertical-align:top}\n"
    "table.matrix th{background:#eef1f5;text-align:left}\n"
    "table.matrix td.cell{min-width:11em;max-width:22em;font-size:12px}\n"
    "td.cell .v{font-weight:600}\n"
    "td.cell dl{margin:2px 0;font:10px monospace}\n"
    "td.cell dl div{display:inline-block;white-space:nowrap;margin-right:8px}\n"
    "td.cell dt{display:inline;color:#556}td.cell dd{display:inline;margin:0 0 0 3px}\n"
    "td.cell code.replay{font-size:10px;margin-top:3px}\n"
    "td.cell.not-ok{outline:3px solid #c00;outline-offset:-3px}\n"
    "section.violation{border-top:2px solid #c9ced8;margin-top:18px}\n";

void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

void html_version(FILE *f)
{
	fprintf(f, "<div id=\"version\">hmmsim %s · git revision ", HMMSIM_VERSION);
	html_esc(f, hmmsim_revision);
	fprintf(f, " · kernel model: Linux %s</div>\n", HMMSIM_KERNEL_RELEASE);
}

void html_begin(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"generator\" content=\"hmmsim\">\n<title>",
	      f);
	html_esc(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header><h1>", style);
	html_esc(f, title);
	fputs("</h1>\n", f);
	html_version(f);
	fputs("</header>\n<main>\n", f);
}

void html_end(FILE *f)
{
	fputs("</main>\n</body>\n</html>\n", f);
}

void html_facts(FILE *f, const char *const *facts, size_t n)
{
	if (!n)
		return;
	fputs("<h3>Facts</h3>\n<ul class=\"facts\">\n", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<li>", f);
		html_esc(f, facts[i]);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
}

void html_violation(FILE *f, const struct html_violation *v)
{
	fprintf(f, "<section class=\"violation\" id=\"%s\" data-kind=\"", v->id);
	html_esc(f, v->kind);
	fputs("\">\n", f);
	if (v->heading) {
		fputs("<h2>", f);
		html_esc(f, v->heading);
		fputs("</h2>\n", f);
	}
	fputs("<div class=\"banner verdict-violation\">VIOLATION <span class=\"kind\">", f);
	html_esc(f, v->kind);
	fputs("</span>: <span class=\"message\">", f);
	html_esc(f, v->message);
	fputs("</span></div>\n", f);
	if (v->how) {
		fputs("<p>", f);
		html_esc(f, v->how);
		fputs("</p>\n", f);
	}
	fputs("<h3>Replay</h3>\n", f);
	if (v->replay) {
		fputs("<code class=\"replay\">", f);
		html_esc(f, v->replay);
		fputs("</code>\n", f);
	} else {
		fputs("<p>no replay command: the schedule token is not known</p>\n", f);
	}
	html_facts(f, v->facts, v->nfacts);
	if (v->trace_json) {
		fprintf(f,
			"<h3>Interleaving</h3>\n<p>%llu scheduling points, %llu preemption%s "
			"(switches away from a thread that could go on)</p>\n",
			(unsigned long long)v->steps, (unsigned long long)v->preemptions,
			v->preemptions == 1 ? "" : "s");
		if (v->report && strstr(v->report, " events left out, steps "))
			fputs("<p>A long execution: as in the text report below, only its first "
			      "and last events and each thread's last ones are drawn (--trace-out "
			      "FILE writes every event).</p>\n",
			      f);
		html_swimlanes(f, v->trace_json, v->id);
	}
	if (v->report) {
		fputs("<details open><summary>The text report</summary>\n<pre class=\"report\">",
		      f);
		html_esc(f, v->report);
		fputs("</pre></details>\n", f);
	}
	fputs("</section>\n", f);
}

/* The run's figures: strategy, seed, executions, time. */
static void run_params(FILE *f, const struct html_run *h)
{
	const struct sim_options *o = h->o;
	const struct sim_result *r = h->r;

	fputs("<table class=\"params\">\n<tr><th>scenario</th><td><code>", f);
	html_esc(f, h->shown);
	fputs("</code></td></tr>\n", f);
	if (h->kernel) {
		fputs("<tr><th>kernel</th><td>", f);
		html_esc(f, h->kernel);
		fputs("</td></tr>\n", f);
	}
	if (o->strategy != SIM_STRATEGY_REPLAY) {
		fprintf(f, "<tr><th>strategy</th><td>%s</td></tr>\n",
			sim_strategy_name(o->strategy));
		fprintf(f, "<tr><th>seed</th><td>%llu</td></tr>\n", (unsigned long long)o->seed);
	} else {
		fputs("<tr><th>schedule</th><td><code>", f);
		html_esc(f, o->schedule);
		fputs("</code></td></tr>\n", f);
	}
	fprintf(f,
		"<tr><th>executions</th><td class=\"executions\">%llu</td></tr>\n"
		"<tr><th>exhausted</th><td class=\"exhausted\">%s</td></tr>\n"
		"<tr><th>time</th><td class=\"timing\">%.3f s</td></tr>\n</table>\n",
		(unsigned long long)r->executions, r->exhausted ? "true" : "false", r->elapsed_s);
}

/* The verdict of a run without a violation. */
static void run_clean(FILE *f, const struct html_run *h)
{
	const struct sim_result *r = h->r;

	fputs("<div class=\"banner verdict-clean\" id=\"verdict\">clean: ", f);
	if (h->interrupted)
		fprintf(f,
			"no violation in the %llu executions run before %s stopped the run "
			"(not a complete run)",
			(unsigned long long)r->executions, cli_signal_name(h->interrupted));
	else if (h->o->strategy == SIM_STRATEGY_REPLAY)
		fputs("the schedule replays without a violation", f);
	else if (r->exhausted && h->o->strategy == SIM_STRATEGY_DPOR && h->o->dpor_bounded &&
		 !r->whole_tree) /* (a bound that left nothing out: every execution) */
		fprintf(f,
			"no violation in %llu executions, exhausted within the bound: every "
			"schedule with at most %u preemption%s up to reordering",
			(unsigned long long)r->executions, h->o->dfs_preemptions,
			cli_plural(h->o->dfs_preemptions));
	else if (r->exhausted)
		fprintf(f, "no violation in %llu executions, exhausted: every schedule %s",
			(unsigned long long)r->executions,
			h->o->strategy == SIM_STRATEGY_DPOR
			    ? "up to reordering independent operations"
			    : "within the preemption bound");
	else
		fprintf(f, "no violation in %llu executions, sampled: not exhaustive",
			(unsigned long long)r->executions);
	/* dfs and dpor --deepen: the bound covered before the run ended */
	if (!r->exhausted && r->bound_completed >= 0 &&
	    (h->o->strategy == SIM_STRATEGY_DFS || h->o->dpor_deepen))
		fprintf(f,
			"; every schedule with at most %d preemption%s covered (the run ended in "
			"bound %u)",
			r->bound_completed, cli_plural((unsigned long long)r->bound_completed),
			r->bound_in_progress);
	if (r->unfair_cut) {
		fprintf(f, "; %llu cut at the step bound by an unfair schedule, not a livelock (",
			(unsigned long long)r->unfair_cut);
		html_esc(f, r->unfair_msg[0] ? r->unfair_msg : "docs/engine.md, \"Fairness\"");
		fputs(")", f);
	}
	fputs("</div>\n", f);
}

/* "found in execution N and minimized (from ...)": where @v came from. */
static void run_how(char *buf, size_t len, const struct sim_options *o,
		    const struct sim_violation *v)
{
	int n = o->strategy == SIM_STRATEGY_REPLAY ? snprintf(buf, len, "replayed")
						   : snprintf(buf, len, "found in execution %llu",
							      (unsigned long long)v->execution);
	if (v->original_schedule && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n,
			 " and minimized from %zu choices, %llu preemptions, %llu scheduling "
			 "points (schedule %s) to %zu choices",
			 v->original_choices, (unsigned long long)v->original_preemptions,
			 (unsigned long long)v->original_steps, v->original_schedule, v->choices);
}

void html_run_page(FILE *f, const struct html_run *h)
{
	const struct sim_result *r = h->r;
	char title[256], how[512], id[32];

	snprintf(title, sizeof(title), "hmmsim %s %s", h->command, h->shown);
	html_begin(f, title);
	run_params(f, h);
	if (!r->violations_found) {
		run_clean(f, h);
		html_end(f);
		return;
	}
	fprintf(f, "<div class=\"banner verdict-violation\" id=\"verdict\">%llu violation%s",
		(unsigned long long)r->violations_found, r->violations_found == 1 ? "" : "s");
	if (r->violations_found > r->nr_reports)
		fprintf(f, " (the first %u reported)", r->nr_reports);
	/* dfs, --deepen: the round it was found in, and the bound covered before */
	if ((h->o->strategy == SIM_STRATEGY_DFS || h->o->dpor_deepen) && !h->o->keep_going) {
		fprintf(f, " in the round of bound %u", r->bound_in_progress);
		if (r->bound_completed >= 0)
			fprintf(f, "; every schedule with at most %d preemption%s was clean",
				r->bound_completed,
				cli_plural((unsigned long long)r->bound_completed));
	}
	fputs("</div>\n", f);
	for (unsigned int i = 0; i < r->nr_reports; i++) {
		const struct sim_violation *v = &r->reports[i];
		snprintf(id, sizeof(id), "violation-%u", i + 1);
		run_how(how, sizeof(how), h->o, v);
		struct html_violation hv = {
		    .id = id,
		    .kind = v->kind,
		    .message = v->message,
		    .how = how,
		    .replay = h->replay[i],
		    .report = v->report,
		    .trace_json = v->trace_json,
		    .steps = v->steps,
		    .preemptions = v->preemptions,
		    .facts = (const char *const *)v->facts,
		    .nfacts = v->nfacts,
		};
		html_violation(f, &hv);
	}
	html_end(f);
}
