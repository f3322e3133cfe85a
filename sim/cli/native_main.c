// SPDX-License-Identifier: MIT
/*
 * hmmsim-native: the built-in scenarios on real threads (native backend).
 * Exit status: 0 clean, 1 violation (or hang), 2 usage or setup error.
 */
#include <errno.h>
#include <hmmsim/scenario.h>
#include <hmmsim/scenario_file.h>
#include <hmmsim/stress.h>
#include <hmmsim/switches.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include <unistd.h>

#include "cli_util.h"

#define DEFAULT_SECONDS 10.0

static const char usage_text[] =
    "usage: hmmsim-native stress NAME|FILE.hsc [--threads-jitter] [--seconds S]\n"
    "                            [--iterations N] [--seed S] [--json] [--keep-going]\n"
    "                            [--switch NAME]... [--kernel VERSION]\n"
    "       hmmsim-native list\n"
    "       hmmsim-native --help\n"
    "       hmmsim-native --version\n"
    "\n"
    "stress runs scenario NAME again and again on real threads until S seconds\n"
    "have passed or N iterations have run (default: 10 s when neither is given).\n"
    "  --threads-jitter  random yields and short spins at every primitive\n"
    "  --seed S          seed of the jitter (default 0)\n"
    "  --json            print the result as one JSON object\n"
    "  --keep-going      count every violation instead of stopping at the first\n"
    "  --switch NAME     restore the kernel before a fix (hmmsim list --switches)\n"
    "  --kernel VERSION  every switch as release VERSION had it (hmmsim list --kernel)\n"
    "Exit status: 0 no violation, 1 violation or hang, 2 usage error.\n";

/* The name errors begin with: "hmmsim" when `hmmsim stress` ran this binary. */
static const char *prog = "hmmsim-native";

/* Prints "PROG: ..." on one line of stderr; returns the usage exit status. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	return 2;
}

/* A decimal integer, nothing before or after it (strtoull would take "-1"). */
static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

/* Seconds as the other numbers are written: digits, at most one '.' with
 * digits after it, up to a day (no sign, exponent, hex or space). */
static bool parse_seconds(const char *s, double *out)
{
	const char *p = s;
	char *end;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == s)
		return false;
	if (*p == '.') {
		const char *q = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == q)
			return false;
	}
	if (*p)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && !*end && *out <= 86400;
}

/* @s as a JSON string literal. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void list_table(const struct sim_scenario *const *sc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%-34s %-10s %s\n", sc[i]->name, sc[i]->expect ? sc[i]->expect : "clean",
		       sc[i]->summary);
}

static int cmd_list(void)
{
	size_t n;
	const struct sim_scenario *const *sc = hs_model_scenarios(&n);

	list_table(sc, n);
	sc = sim_litmus_scenarios(&n);
	list_table(sc, n);
	return 0;
}

/* --kernel VERSION, named in the JSON (NULL: not given). */
static const char *kernel_release;

static void print_json(const struct sim_scenario *sc, const struct sim_stress_options *opt,
		       const struct sim_stress_result *res)
{
	printf("{\"scenario\":");
	json_string(sc->name);
	if (kernel_release)
		printf(",\"kernel\":\"%s\"", kernel_release);
	printf(",\"backend\":\"native\",\"jitter\":%s,\"seed\":%" PRIu64 ",\"iterations\":%" PRIu64
	       ",\"elapsed_s\":%.6f,\"iters_per_s\":%.1f",
	       opt->jitter ? "true" : "false", opt->seed, res->iterations, res->elapsed_s,
	       res->elapsed_s > 0 ? res->iterations / res->elapsed_s : 0.0);
	printf(",\"violations_found\":%" PRIu64 ",\"violations\":[", res->violations_found);
	if (res->violations_found) {
		printf("{\"kind\":");
		json_string(res->kind);
		printf(",\"message\":");
		json_string(res->message);
		/* Without --keep-going the run stopped at the first violation's
		 * iteration; with it, the result does not say which it was. */
		if (opt->keep_going)
			printf(",\"iteration\":null");
		else
			printf(",\"iteration\":%" PRIu64, res->iterations - 1);
		printf(",\"seconds\":%.6f}", res->seconds_to_first);
	}
	printf("],");
	cli_json_version(stdout);
	printf("}\n");
}

static void print_text(const struct sim_scenario *sc, const struct sim_stress_result *res)
{
	if (!res->violations_found) {
		printf("%s: no violation in %" PRIu64 " iteration%s, %.2f s\n", sc->name,
		       res->iterations, cli_plural(res->iterations), res->elapsed_s);
		return;
	}
	printf("%s: %s: %s\n", sc->name, res->kind, res->message);
	printf("  first after %.3f s; %" PRIu64 " violation%s in %" PRIu64
	       " iteration%s, %.2f s%s\n",
	       res->seconds_to_first, res->violations_found, cli_plural(res->violations_found),
	       res->iterations, cli_plural(res->iterations), res->elapsed_s,
	       res->hung ? "; threads are stuck" : "");
}

static int cmd_stress(int argc, char **argv)
{
	/* run by `hmmsim stress`: a partial rebuild can leave this binary,
	 * and the model in it, older than the hmmsim that ran it */
	const char *parent = getenv("HMMSIM_PARENT_REVISION");
	if (parent && strcmp(parent, hmmsim_revision))
		return usage_error("this hmmsim-native is revision %s and hmmsim is %s: rebuild "
				   "both (cmake --build build)",
				   hmmsim_revision, parent);
	struct sim_stress_options opt = {0};
	struct sim_stress_result res;
	const struct sim_scenario *sc = NULL;
	bool json = false, have_seconds = false;
	int err;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--threads-jitter")) {
			opt.jitter = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--keep-going")) {
			opt.keep_going = true;
		} else if (!strcmp(a, "--switch")) {
			if (!val || hs_switch_set(val, true))
				return cli_unknown_switch(prog, val);
			i++;
		} else if (!strcmp(a, "--kernel")) {
			/* the release's switches; a --switch after it adds one */
			if (cli_kernel_set(val))
				return 2;
			kernel_release = val;
			i++;
		} else if (!strcmp(a, "--seconds") || !strcmp(a, "--iterations") ||
			   !strcmp(a, "--seed")) {
			bool ok;

			if (!val)
				return usage_error("%s needs a value", a);
			if (!strcmp(a, "--seconds"))
				ok = have_seconds = parse_seconds(val, &opt.seconds);
			else if (!strcmp(a, "--iterations")) /* 0 would be "no limit" */
				ok = parse_u64(val, &opt.max_iterations) && opt.max_iterations;
			else
				ok = parse_u64(val, &opt.seed);
			if (!ok)
				return usage_error("bad number for %s: '%s'", a, val);
			i++;
		} else if (a[0] == '-') {
			return usage_error("unknown option '%s'", a);
		} else if (sc) {
			return usage_error("unexpected argument '%s'", a);
		} else if (hs_scenario_is_file(a)) {
			static struct sim_scenario *file; /* kept for the whole process */
			char msg[512];
			if (hs_scenario_load(a, &file, msg, sizeof(msg))) {
				fprintf(stderr, "%s: %s\n", prog, msg);
				return 2;
			}
			sc = file;
		} else if (!(sc = sim_litmus_find(a)) && !(sc = hs_model_scenario_find(a))) {
			return usage_error("unknown scenario '%s'", a);
		}
	}
	if (!sc)
		return usage_error("stress needs a scenario name");
	if (!have_seconds && !opt.max_iterations)
		opt.seconds = DEFAULT_SECONDS;
	if (opt.seconds == 0 && !opt.max_iterations)
		return usage_error("--seconds 0 needs --iterations");

	err = sim_stress(sc, &opt, &res);
	if (err < 0) {
		fprintf(stderr, "%s: stress run failed: %s\n", prog, strerror(-err));
		return 2;
	}
	if (!res.iterations) { /* nothing was tested: not a clean run */
		fprintf(stderr,
			"%s: no iteration of %s ran within --seconds %g: nothing was tested\n",
			prog, sc->name, opt.seconds);
		return 2;
	}
	if (json)
		print_json(sc, &opt, &res);
	else {
		if (kernel_release)
			printf("kernel %s\n", kernel_release);
		print_text(sc, &res);
	}
	if (res.hung) {
		/* Its threads are stuck for good: exit without waiting for them. */
		fflush(stdout);
		_exit(1);
	}
	return res.violations_found ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (getenv("HMMSIM_PARENT_REVISION"))
		prog = "hmmsim";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return 0;
		}
	}
	if (argc < 2)
		return usage_error("missing command");
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		cli_print_version("hmmsim-native");
		return 0;
	}
	if (!strcmp(argv[1], "list")) {
		if (argc > 2)
			return usage_error("list takes no argument");
		return cmd_list();
	}
	if (!strcmp(argv[1], "stress"))
		return cmd_stress(argc - 2, argv + 2);
	return usage_error("unknown command '%s'", argv[1]);
}
