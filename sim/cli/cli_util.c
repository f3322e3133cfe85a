// SPDX-License-Identifier: MIT
#include "cli_util.h"

#include <hmmsim/explore.h>
#include <hmmsim/switches.h>
#include <hmmsim/version.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

int cli_bad_count(const char *opt, const char *val)
{
	fprintf(stderr, "hmmsim: %s wants %s, not '%s'\n", opt,
		opt[2] == 'i' ? "1 or more executions" : "a number", val ? val : "");
	return 2;
}

bool cli_parse_double(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0)
		return false;
	*out = v;
	return true;
}

void cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The end of the JSON value at @p (before @end), or NULL.  An array may
 * hold strings (a violation's "facts"), not objects or arrays. */
static const char *json_value_end(const char *p, const char *end)
{
	if (p < end && *p == '[') {
		for (p++; p < end && *p != ']'; p++)
			if (*p == '"')
				for (p++; p < end && *p != '"'; p++)
					if (*p == '\\')
						p++;
		return p < end ? p + 1 : NULL;
	}
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++)
			if (*p == '\\')
				p++;
		return p < end ? p + 1 : NULL;
	}
	while (p < end && *p != ',' && *p != '}' && !isspace((unsigned char)*p))
		p++;
	return p < end ? p : NULL;
}

bool cli_json_member(const char *obj, const char *end, const char *key, const char **val,
		     const char **vend)
{
	size_t klen = strlen(key);
	const char *p = obj;

	if (p >= end || *p != '{')
		return false;
	for (p++; p < end;) {
		while (p < end && (isspace((unsigned char)*p) || *p == ','))
			p++;
		if (p >= end || *p != '"')
			return false; /* '}' or junk: not there */
		const char *k = p + 1, *kend = json_value_end(p, end);
		if (!kend)
			return false;
		p = kend;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end || *p != ':')
			return false;
		for (p++; p < end && isspace((unsigned char)*p); p++)
			;
		const char *v = p, *ve = json_value_end(p, end);
		if (!ve || ve == v)
			return false;
		if ((size_t)(kend - 1 - k) == klen && memcmp(k, key, klen) == 0) {
			*val = v;
			*vend = ve;
			return true;
		}
		p = ve;
	}
	return false;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *cli_json_unstr(const char *val, const char *vend)
{
	if (vend - val < 2 || *val != '"' || vend[-1] != '"')
		return NULL;
	char *out = malloc((size_t)(vend - val)), *o = out; /* never longer */
	if (!out)
		abort();
	for (const char *p = val + 1; p < vend - 1; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		char c = *++p;
		if (c == 'n')
			*o++ = '\n';
		else if (c == 't')
			*o++ = '\t';
		else if (c == 'r')
			*o++ = '\r';
		else if (c == 'b')
			*o++ = '\b';
		else if (c == 'f')
			*o++ = '\f';
		else if (c == 'u' && vend - 1 - p > 4) {
			unsigned int u = 0;
			for (int i = 1; i <= 4; i++) {
				int h = hexval(p[i]);
				if (h < 0) {
					free(out);
					return NULL;
				}
				u = u << 4 | (unsigned int)h;
			}
			p += 4;
			if (u == 0) {
				free(out);
				return NULL; /* a NUL: not a C string */
			}
			if (u < 0x80) {
				*o++ = (char)u;
			} else if (u < 0x800) {
				*o++ = (char)(0xc0 | u >> 6);
				*o++ = (char)(0x80 | (u & 0x3f));
			} else {
				*o++ = (char)(0xe0 | u >> 12);
				*o++ = (char)(0x80 | (u >> 6 & 0x3f));
				*o++ = (char)(0x80 | (u & 0x3f));
			}
		} else if (c == '"' || c == '\\' || c == '/') {
			*o++ = c;
		} else {
			free(out);
			return NULL;
		}
	}
	*o = 0;
	return out;
}

static void shell_word(FILE *f, const char *s)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_./+=:,@%-";
	if (*s && strspn(s, plain) == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

char *cli_replay_cmd(const char *shown, const char *schedule, const struct sim_options *o,
		     const char *const *sw, unsigned int nsw)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		abort();
	fputs("hmmsim replay ", f);
	shell_word(f, shown);
	fputs(" --schedule ", f);
	shell_word(f, schedule);
	for (unsigned int i = 0; i < nsw; i++)
		fprintf(f, " --switch %s", sw[i]);
	if (o->no_races)
		fputs(" --no-races", f);
	if (o->no_lockdep)
		fputs(" --no-lockdep", f);
	if (o->no_might_sleep)
		fputs(" --no-might-sleep", f);
	if (o->order_sections)
		fputs(" --order-sections", f);
	if (o->step_bound)
		fprintf(f, " --step-bound %lu", o->step_bound);
	if (fclose(f))
		abort();
	return s;
}

void cli_print_version(const char *prog)
{
	printf("%s %s\ngit revision: %s\nkernel model: Linux %s\n", prog, HMMSIM_VERSION,
	       hmmsim_revision, HMMSIM_KERNEL_RELEASE);
}

void cli_json_version(FILE *f)
{
	fprintf(f, "\"version\":{\"hmmsim\":\"%s\",\"revision\":", HMMSIM_VERSION);
	cli_json_str(f, hmmsim_revision);
	fprintf(f, ",\"kernel\":\"%s\"}", HMMSIM_KERNEL_RELEASE);
}

void cli_xml_str(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&apos;", f);
		else if (c < 0x20 && c != '\n' && c != '\t')
			fputc(' ', f); /* not allowed in XML 1.0 */
		else
			fputc(c, f);
	}
}

void cli_junit_begin(FILE *f, const char *suite, unsigned int tests, unsigned int failures,
		     double time_s)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"");
	cli_xml_str(f, suite);
	fprintf(f, "\" tests=\"%u\" failures=\"%u\" errors=\"0\" time=\"%.6f\">\n", tests, failures,
		time_s);
	fprintf(f,
		"<properties>\n<property name=\"hmmsim.version\" value=\"%s\"/>\n"
		"<property name=\"hmmsim.revision\" value=\"",
		HMMSIM_VERSION);
	cli_xml_str(f, hmmsim_revision);
	fprintf(f, "\"/>\n<property name=\"hmmsim.kernel\" value=\"%s\"/>\n</properties>\n",
		HMMSIM_KERNEL_RELEASE);
}

void cli_junit_case_begin(FILE *f, const char *classname, const char *name, double time_s)
{
	fprintf(f, "<testcase classname=\"");
	cli_xml_str(f, classname);
	fprintf(f, "\" name=\"");
	cli_xml_str(f, name);
	fprintf(f, "\" time=\"%.6f\">\n", time_s);
}

void cli_junit_failure(FILE *f, const char *type, const char *message, const char *text,
		       const char *text2)
{
	fprintf(f, "<failure type=\"");
	cli_xml_str(f, type);
	fprintf(f, "\" message=\"");
	cli_xml_str(f, message);
	fprintf(f, "\">");
	cli_xml_str(f, text);
	cli_xml_str(f, text2);
	fprintf(f, "</failure>\n");
}

void cli_junit_case_end(FILE *f, const char *system_out)
{
	if (system_out) {
		fprintf(f, "<system-out>");
		cli_xml_str(f, system_out);
		fprintf(f, "</system-out>\n");
	}
	fprintf(f, "</testcase>\n");
}

void cli_junit_end(FILE *f)
{
	fprintf(f, "</testsuite>\n</testsuites>\n");
}

double cli_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t cli_shard_size(uint64_t iterations, uint64_t k, uint64_t n)
{
	if (n <= 1)
		return iterations;
	return iterations > k ? (iterations - k - 1) / n + 1 : 0;
}

#define PROGRESS_FIRST_S  0.5
#define PROGRESS_PERIOD_S 0.25

void cli_progress_init(struct cli_progress *p, bool on, uint64_t total)
{
	*p = (struct cli_progress){.on = on, .total = total, .t0 = cli_now_s()};
	p->next = p->t0 + PROGRESS_FIRST_S;
}

static void time_str(char *buf, size_t len, double s)
{
	unsigned long long t = s < 1 ? 1 : s > 1e9 ? 1000000000ull : (unsigned long long)(s + 0.5);
	if (t < 60)
		snprintf(buf, len, "%llu s", t);
	else if (t < 3600)
		snprintf(buf, len, "%llu min %02llu s", t / 60, t % 60);
	else
		snprintf(buf, len, "%llu h %02llu min", t / 3600, t % 3600 / 60);
}

void cli_progress_show(struct cli_progress *p, uint64_t done, uint64_t violations)
{
	if (!p->on)
		return;
	double now = cli_now_s();
	if (now < p->next)
		return;
	p->next = now + PROGRESS_PERIOD_S;
	double el = now - p->t0, rate = el > 0 ? (double)done / el : 0;
	char line[160], left[48] = "";
	int n;
	if (p->total && rate > 0 && done <= p->total)
		time_str(left, sizeof(left), (double)(p->total - done) / rate);
	if (p->total)
		n = snprintf(line, sizeof(line),
			     "hmmsim: %llu/%llu executions (%.0f%%), %.0f/s, %llu violation%s, %s "
			     "left",
			     (unsigned long long)done, (unsigned long long)p->total,
			     100.0 * (double)done / (double)p->total, rate,
			     (unsigned long long)violations, violations == 1 ? "" : "s",
			     left[0] ? left : "?");
	else
		n = snprintf(line, sizeof(line),
			     "hmmsim: %llu executions, %.0f/s, %llu violation%s",
			     (unsigned long long)done, rate, (unsigned long long)violations,
			     violations == 1 ? "" : "s");
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	/* pad over a longer line shown before */
	fprintf(stderr, "\r%s%*s", line, p->shown > n ? p->shown - n : 0, "");
	fflush(stderr);
	if (n > p->shown)
		p->shown = n;
}

void cli_progress_clear(struct cli_progress *p)
{
	if (!p->on || !p->shown)
		return;
	fprintf(stderr, "\r%*s\r", p->shown, "");
	fflush(stderr);
	p->shown = 0;
}

int cli_kernel_set(const char *version)
{
	char known[512];
	if (version && hs_kernel_set(version) == 0)
		return 0;
	hs_kernel_list(known, sizeof(known));
	fprintf(stderr, "hmmsim: unknown kernel release '%s'; known releases: %s\n",
		version ? version : "", known);
	return 2;
}

void cli_bound_text(char *buf, size_t len, bool on, int bound, uint64_t executions)
{
	if (!on)
		snprintf(buf, len, "%s", "");
	else if (bound < 0)
		snprintf(buf, len,
			 "; dpor --deepen covered no preemption bound in %llu execution%s",
			 (unsigned long long)executions, cli_plural(executions));
	else
		snprintf(buf, len,
			 "; and every schedule with at most %d preemption%s, by dpor --deepen in "
			 "%llu execution%s",
			 bound, cli_plural((unsigned long long)bound),
			 (unsigned long long)executions, cli_plural(executions));
}

void cli_bound_json(FILE *f, const char *prefix, int bound, uint64_t executions)
{
	if (bound < 0)
		fprintf(f, ",\"%sbound\":null", prefix);
	else
		fprintf(f, ",\"%sbound\":%d", prefix, bound);
	fprintf(f, ",\"%sdeepen_executions\":%llu", prefix, (unsigned long long)executions);
}
