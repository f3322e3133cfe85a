// SPDX-License-Identifier: MIT
/*
 * scenario_file suite: the .hsc parser and interpreter
 * (sim/scenario/scenario_file.c).  Every file of tests/scenarios loads; each
 * kind of error gives its exact file:line:col message; 1,000 mutated files
 * load or fail with -EINVAL and never crash (and those that load also run);
 * loaded files explore to the outcome their expect line names.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hmmsim/owner.h>
#include <hmmsim/scenario_file.h>
#include <hmmsim/switches.h>

#include "helpers.h"

#ifndef HMMSIM_SCENARIO_DIR
#error "HMMSIM_SCENARIO_DIR must name tests/scenarios"
#endif

/* ---- the files of tests/scenarios ------------------------------------------------- */

struct text {
	char name[64];
	char *buf;
	size_t len;
};

#define MAX_FILES 512
static struct text files[MAX_FILES];
static int nfiles;

static int cmp_text(const void *a, const void *b)
{
	return strcmp(((const struct text *)a)->name, ((const struct text *)b)->name);
}

static void read_files(void)
{
	DIR *d;
	struct dirent *e;

	if (nfiles)
		return;
	d = opendir(HMMSIM_SCENARIO_DIR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[512];
		if (n < 5 || strcmp(e->d_name + n - 4, ".hsc"))
			continue;
		/* every file, or the test says why not (until session 29 the
		 * files past the 128th were left out without a word) */
		CU_ASSERT_FATAL(n < sizeof(files[0].name));
		CU_ASSERT_FATAL(nfiles < MAX_FILES);
		snprintf(path, sizeof(path), "%s/%s", HMMSIM_SCENARIO_DIR, e->d_name);
		FILE *f = fopen(path, "rb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		struct text *t = &files[nfiles++];
		memcpy(t->name, e->d_name, n + 1); /* n < sizeof(t->name) */
		t->buf = malloc(1 << 16);
		t->len = fread(t->buf, 1, 1 << 16, f);
		fclose(f);
	}
	closedir(d);
	qsort(files, (size_t)nfiles, sizeof(files[0]), cmp_text);
}

static const struct text *file_named(const char *name)
{
	read_files();
	for (int i = 0; i < nfiles; i++)
		if (!strcmp(files[i].name, name))
			return &files[i];
	return NULL;
}

static void test_good_files_load(void)
{
	char path[512], err[512];

	read_files();
	CU_ASSERT(nfiles >= 12);
	for (int i = 0; i < nfiles; i++) {
		struct sim_scenario *sc;
		struct hs_scenario_plan plan;
		int len = snprintf(path, sizeof(path), "%s/%s", HMMSIM_SCENARIO_DIR, files[i].name);
		CU_ASSERT_FATAL(len > 0 && (size_t)len < sizeof(path));
		int ret = hs_scenario_load(path, &sc, err, sizeof(err));
		CU_ASSERT_EQUAL(ret, 0);
		if (ret) {
			fprintf(stderr, "\n    %s\n", err);
			continue;
		}
		CU_ASSERT_STRING_EQUAL(sc->name, files[i].name);
		hs_scenario_plan(sc, &plan);
		CU_ASSERT(plan.expect_given);
		hs_scenario_free(sc);
	}
}

static void test_load_missing_file(void)
{
	struct sim_scenario *sc = (void *)1;
	char err[256];

	CU_ASSERT_EQUAL(hs_scenario_load("/nonexistent/x.hsc", &sc, err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NULL(sc);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/x.hsc: cannot open: No such file or directory");
}

static void test_is_file(void)
{
	CU_ASSERT(hs_scenario_is_file("race.hsc"));
	CU_ASSERT(hs_scenario_is_file("./race"));
	CU_ASSERT(hs_scenario_is_file("dir/x.txt"));
	CU_ASSERT(!hs_scenario_is_file("driver-fault-race"));
	CU_ASSERT(!hs_scenario_is_file("hsc"));
}

/* ---- errors: the exact message of each kind ------------------------------------------- */

#define HEAD                                                                                       \
	"process p va 4M\n"                                                                        \
	"vma p 0x100000 4 rw\n"                                                                    \
	"device gpu0 pages 4\n"                                                                    \
	"mirror m0 gpu0 p\n"

/* a PCI topology: one host bridge, a root port, a switch with two ports */
#define TOPO                                                                                       \
	"host-bridge hb0\n"                                                                        \
	"root-port rp0 hb0\n"                                                                      \
	"pci-switch sw0 rp0 2\n"

static const struct {
	const char *text, *msg;
} bad[] = {
    {"frob 1\n",
     "t.hsc:1:1: expected a directive (machine, process, vma, device, mirror, bug, "
     "switch, host-bridge, root-port, pci-switch, acs, link, cluster, owner-policy, "
     "grant, callback, init, thread, final, expect, explore, step-bound, no-check-data), got "
     "'frob'"},
    /* names */
    {HEAD "mirror m1 gpu9 p\n", "t.hsc:5:11: expected a device name (gpu0), got 'gpu9'"},
    {HEAD "thread t\n  device-read m9 0x100000 1\n",
     "t.hsc:6:15: expected a mirror name (m0), got 'm9'"},
    {"vma p 0x100000 1 rw\n", "t.hsc:1:5: expected a process name (none is declared yet), got 'p'"},
    {HEAD "device p pages 2\n",
     "t.hsc:5:8: expected a new device name, got 'p' (a process declared at line 1)"},
    {HEAD "thread a\n  yield\nthread a\n  yield\n",
     "t.hsc:7:8: expected a new thread name, got 'a' (a thread declared at line 5)"},
    {HEAD "thread 9x\n", "t.hsc:5:8: expected a thread name (a letter or _, then letters, "
			 "digits, _ - ., at most 31), got '9x'"},
    /* addresses and sizes */
    {HEAD "init cpu-read p 0x100100\n",
     "t.hsc:5:17: expected a page-aligned address, got '0x100100'"},
    {HEAD "init munmap p 0x103000 2\n",
     "t.hsc:5:15: expected a range inside the VMAs of p, got [0x103000,0x105000) (0x104000 is "
     "outside every VMA)"},
    {HEAD "vma p 0x102000 4 r\n",
     "t.hsc:5:7: expected a VMA that overlaps no other, got [0x102000,0x106000) overlapping "
     "[0x100000,0x104000) of line 2"},
    {HEAD "init madvise p 0x100000 0\n", "t.hsc:5:25: expected a page count (1..16384), got '0'"},
    {HEAD "thread t\n  device-read m0 0x100000 65\n",
     "t.hsc:6:27: expected a page count (1..64), got '65'"},
    {"process p va 4097\n",
     "t.hsc:1:14: expected an address-space size that is a multiple of 4K, got '4097'"},
    {"process p va 1G\n", "t.hsc:1:14: expected an address-space size (4096..67108864 bytes, "
			  "K/M suffix allowed), got '1G'"},
    {"device d pages 0x\n", "t.hsc:1:16: expected a number of device pages (1..1024), got '0x'"},
    {"machine ram 99999999999999999999\n",
     "t.hsc:1:13: expected a number of RAM pages (2..4096), got '99999999999999999999'"},
    {HEAD "vma p 0x3ff000 2 rw\n", "t.hsc:5:16: expected a VMA inside the address space of p "
				   "(0x400000 bytes), got [0x3ff000,0x401000)"},
    /* structure */
    {HEAD "thread t\n  yield\nvma p 0x200000 1 rw\n",
     "t.hsc:7:1: expected a step or thread, final, expect, explore, step-bound, no-check-data, got "
     "'vma' (setup "
     "lines go before the first thread)"},
    {HEAD "thread t\n  repeat 2\n    yield\n", "t.hsc:8:1: expected 'end' for the repeat of line "
					       "6, got end of file"},
    {HEAD "thread t\n  repeat 2\n    yield", "t.hsc:7:10: expected 'end' for the repeat of line "
					     "6, got end of file"},
    {HEAD "thread t\n  repeat 2\n    yield\nexpect clean\n",
     "t.hsc:8:1: expected 'end' for the repeat of line 6, got 'expect'"},
    {HEAD "thread t\n  yield\n  end\n", "t.hsc:7:3: expected a step, got 'end' (no repeat is "
					"open)"},
    {HEAD "thread t\nthread u\n  yield\n", "t.hsc:6:1: expected a step in thread t, got 'thread'"},
    {HEAD "init repeat 2\n",
     "t.hsc:5:6: expected a step, got 'repeat' (repeat blocks are for threads)"},
    {HEAD "thread t\n  repeat 1000\n  repeat 1000\n  yield\n  end\n  end\n",
     "t.hsc:10:3: expected at most 100000 steps in a block with its repeats unrolled, got more"},
    {HEAD "thread t\n  frobnicate\n",
     "t.hsc:6:3: expected a step (see docs/scenarios.md), got 'frobnicate'"},
    {HEAD "init yield now\n", "t.hsc:5:12: expected end of line, got 'now'"},
    {HEAD "init cpu-write p 0x100000\n", "t.hsc:5:26: expected a value, got end of line"},
    {HEAD "init cpu-write p 0x100000 # no value\n",
     "t.hsc:5:27: expected a value, got end of line"},
    {HEAD "init device-read m0 0x100000 2 = 1 2 3\n",
     "t.hsc:5:38: expected 1 or 2 values after '=', got 3"},
    {HEAD "init cpu-read p 0x100000 fails EWHAT\n",
     "t.hsc:5:32: expected an error name (EFAULT, EBUSY, EPERM, EINVAL, ENOENT, ENOMEM, EEXIST, "
     "EAGAIN, EOPNOTSUPP, ENODEV, EIO, EREMOTEIO), got 'EWHAT'"},
    {HEAD "init cpu-read p 0x100000 = 1 fails\n",
     "t.hsc:5:35: expected an error name (EFAULT, EBUSY, EPERM, EINVAL, ENOENT, ENOMEM, EEXIST, "
     "EAGAIN, EOPNOTSUPP, ENODEV, EIO, EREMOTEIO), got end of line"},
    /* the protocol */
    {HEAD "thread t\n  range-fault m0 s1 0x100000 1 fault\n",
     "t.hsc:6:18: expected a sequence begun by an earlier read-begin in this block, got 's1'"},
    {HEAD "mirror m1 gpu0 p\nthread t\n  read-begin m0 s\n  read-begin m1 s\n",
     "t.hsc:8:17: expected a sequence of mirror m1, got 's' (begun on m0)"},
    {HEAD "thread t\n  read-begin m0 s\n  range-fault m0 s 0x100000 1 write|read\n",
     "t.hsc:7:31: expected fault, fault|write or nofault, each may add |p2p, got 'write|read'"},
    {HEAD "thread t\n  read-begin m0 s\n  range-fault m0 s 0x100000 1 write\n",
     "t.hsc:7:31: expected fault, fault|write or nofault, each may add |p2p, got 'write'"},
    {HEAD "thread t\n  read-begin m0 s\n  range-fault m0 s 0x100000 1 fault|\n",
     "t.hsc:7:31: expected fault, fault|write or nofault, each may add |p2p, got 'fault|'"},
    {HEAD "thread t\n  read-begin m0 s\n  range-fault m0 s 0x100000 1 nofault|write\n",
     "t.hsc:7:31: expected fault, fault|write or nofault, each may add |p2p, got 'nofault|write'"},
    {HEAD "thread t\n  read-begin m0 s\n  range-fault m0 s 0x100000 1 fault|p2p|p2p\n",
     "t.hsc:7:31: expected fault, fault|write or nofault, each may add |p2p, got 'fault|p2p|p2p'"},
    {HEAD "thread t\n  read-begin m0 s\n  range-fault m0 s 0x100000 1 p2p|nofault|fault\n",
     "t.hsc:7:31: expected fault, fault|write or nofault, each may add |p2p, got "
     "'p2p|nofault|fault'"},
    {HEAD "thread t\n  read-begin m0 s\n  range-fault m0 s 0x100000 1 fault|p2p\n",
     "t.hsc:7:31: expected flags without p2p, got 'fault|p2p' (device gpu0 has no PCI function: "
     "declare it with at PORT)"},
    {HEAD "thread t\n  read-begin m0 s\n  repeat 2\n  range-fault m0 s 0x100000 1 fault on-busy "
	  "restart\n  end\n",
     "t.hsc:8:45: expected a read-begin of s earlier in the same block for restart, got none"},
    {HEAD "thread t\n  read-begin m0 s\n  lock m0\n  read-retry m0 s\n",
     "t.hsc:8:18: expected 'on-fail', got end of line"},
    {HEAD "thread t\n  read-begin m0 s\n  read-retry m0 s on-fail retry\n",
     "t.hsc:7:27: expected unlock-restart, restart, ignore or fail, got 'retry'"},
    {HEAD "thread t\n  read-begin m0 s\n  lock m0\n  program m0 s\n",
     "t.hsc:8:14: expected a sequence with a range-fault before this step, got 's'"},
    {HEAD "thread t\n  read-begin m0 s\n  range-fault m0 s 0x100000 1 fault on-busy restart "
	  "fails EBUSY\n",
     "t.hsc:7:59: expected an error other than EBUSY (on-busy restart restarts on it), got "
     "'EBUSY'"},
    /* directives */
    {HEAD "bug m0 sloppy\n",
     "t.hsc:5:8: expected a driver bug (ok, noretry, unlocked-retry, "
     "skip-own-migrate, ebusy-fatal, lock-page-under-mutex, release-no-wait, "
     "exclusive-no-unlock, exclusive-unlock-early, nonblock-skip), got 'sloppy'"},
    {HEAD "expect violation coherance\n",
     "t.hsc:5:18: expected a violation kind (assertion, deadlock, livelock, data-race, "
     "lock-order, might-sleep, lock-not-held, use-after-free, refcount, kernel-bug, coherence, "
     "data-loss, leak, wrong-owner, lost-access), got 'coherance'"},
    {HEAD "expect clean\nexpect clean\n",
     "t.hsc:6:8: expected one expect line, got a second (line 5)"},
    {HEAD "no-check-data\nno-check-data\n",
     "t.hsc:6:1: expected one no-check-data line, got a second (line 5)"},
    {HEAD "no-check-data now\n", "t.hsc:5:15: expected end of line, got 'now'"},
    {HEAD "explore bfs\n", "t.hsc:5:9: expected pct, random, dfs or dpor, got 'bfs'"},
    {HEAD "explore dpor 0\n",
     "t.hsc:5:14: expected a number of executions (1..1000000000), got '0'"},
    {HEAD "explore dfs 99\n", "t.hsc:5:13: expected a preemption bound (0..64), got '99'"},
    {HEAD "thread a\n  evict gpu0\nthread b\n  evict gpu0\n",
     "t.hsc:8:9: expected one evict of gpu0, got a second (line 6)"},
    {HEAD "thread a\n  repeat 2\n    release m0\n  end\n",
     "t.hsc:7:5: expected release outside repeat blocks, got it inside"},
    {HEAD "thread a\n  wait go\n", "t.hsc:6:8: expected a flag some step signals, got 'go' "
				   "(nothing signals it)"},
    /* devices, P2P, owners, hot unplug */
    {TOPO "device d pages 1 at sw0.2\n",
     "t.hsc:4:21: expected a port (rp0, sw0.0..sw0.1), got 'sw0.2'"},
    {TOPO "device d pages 1 p2p\n",
     "t.hsc:4:18: expected at PORT, p2p (after at), owner CLUSTER, "
     "hotplug, coherent (not with p2p) or end of line, each once, got "
     "'p2p'"},
    {TOPO "device d pages 1 at sw0.0 p2p coherent\n",
     "t.hsc:4:31: expected at PORT, p2p (after at), owner CLUSTER, hotplug, coherent (not with "
     "p2p) or end of line, each once, got 'coherent'"},
    {TOPO "device d pages 1 at sw0.0\ndevice e pages 1 at sw0.1\nlink d e r,x\n",
     "t.hsc:6:10: expected what the link carries (r, w, atomics joined by commas, or none), got "
     "'r,x'"},
    {TOPO "device d pages 1 at sw0.0\nlink d d r\n",
     "t.hsc:5:8: expected a device other than d, got 'd'"},
    {TOPO "device d pages 1\ndevice e pages 1 at sw0.1\nlink d e r\n",
     "t.hsc:6:6: expected a device on the PCI topology (declared with at PORT), got 'd'"},
    {TOPO "pci-switch sw1 sw0.0 9\n",
     "t.hsc:4:22: expected a number of downstream ports (1..8), got '9'"},
    {TOPO "device sw0.1 pages 1\n",
     "t.hsc:4:8: expected a new device name, got 'sw0.1' (a port of a PCI switch declared at "
     "line 3)"},
    {"root-port rp0 hbx\n",
     "t.hsc:1:15: expected a host bridge name (none is declared yet), got 'hbx'"},
    {"owner-policy cluster-id/5\n",
     "t.hsc:1:14: expected an owner policy (pointer, cluster-id/4, cluster-id/32, mutable, "
     "mutable-marked, reregister, p2p-callback, p2p-callback/locked, peer-group, "
     "peer-group/drained, range-callback, p2p-callback/plain, p2p-callback/no-inval, "
     "p2p-callback/locked/no-inval, range-callback/no-inval, range-callback/no-cache, "
     "range-callback/plain, range-callback/no-remap), got 'cluster-id/5'"},
    {HEAD "device n pages 1 hotplug\nmirror mn n p\nthread t\n  device-read mn 0x100000 1\n",
     "t.hsc:8:15: expected a mirror whose device is present at this step, got 'mn' (n is "
     "hotplug: use it after its plug step, in that block or in final)"},
    {HEAD "device n pages 1 hotplug\nthread t\n  plug n\nthread u\n  plug n\n",
     "t.hsc:9:8: expected one plug of n, got a second (line 7)"},
    {HEAD "thread t\n  plug gpu0\n", "t.hsc:6:8: expected a device declared hotplug, got 'gpu0'"},
    {HEAD "thread t\n  unplug gpu0 gently\n",
     "t.hsc:6:15: expected safe, surprise, devm or free-first, got 'gently'"},
    {HEAD "thread t\n  evict gpu0\n  unplug gpu0 safe\n",
     "t.hsc:7:10: expected one evict or unplug of gpu0, got a second (line 6)"},
    {HEAD "thread t\n  repeat 2\n    unplug gpu0 safe\n  end\n",
     "t.hsc:7:5: expected unplug outside repeat blocks, got it inside"},
    {HEAD "thread t\n  owner-change gpu0 p\n",
     "t.hsc:6:21: expected a cluster name, got 'p' (a process declared at line 1)"},
    {HEAD "thread t\n  check-entry m0 0x100000 p2p-host\n",
     "t.hsc:6:27: expected none, ram, device, p2p or p2p-bus, got 'p2p-host'"},
    {HEAD "mirror m1 gpu0 p p2p\n", "t.hsc:5:18: expected end of line, got 'p2p' (device gpu0 has "
				    "no PCI function: declare it with at PORT)"},
    {HEAD "device n pages 1 hotplug\ngrant gpu0 n\n",
     "t.hsc:6:12: expected a device present from the start, got 'n' (hotplug)"},
    /* characters and lengths */
    {HEAD "thread t\n  yield \xc3\xa9\n", "t.hsc:6:9: expected printable ASCII, got byte 0xc3"},
    {HEAD "thread t\n  yi\001eld\n", "t.hsc:6:5: expected printable ASCII, got byte 0x01"},
    {"process p va 4M\0\n", "t.hsc:1:16: expected printable ASCII, got byte 0x00"},
    {"process pppppppppppppppppppppppppppppppp va 4M\n",
     "t.hsc:1:9: expected a process name (a letter or _, then letters, digits, _ - ., at most "
     "31), got 'pppppppppppppppppppppppppppppppp'"},
};

static void test_error_messages(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sim_scenario *sc = (void *)1;
		char err[512];
		size_t len = strlen(bad[i].text);
		/* the NUL byte case */
		if (strstr(bad[i].msg, "byte 0x00"))
			len = strlen(bad[i].text) + 2;
		int ret = hs_scenario_parse("t.hsc", bad[i].text, len, &sc, err, sizeof(err));
		CU_ASSERT_EQUAL(ret, -EINVAL);
		CU_ASSERT_PTR_NULL(sc);
		CU_ASSERT_STRING_EQUAL(err, bad[i].msg);
		if (ret != -EINVAL || strcmp(err, bad[i].msg))
			fprintf(stderr, "\n    case %zu: got  \"%s\"\n            want \"%s\"\n", i,
				ret ? err : "(loaded)", bad[i].msg);
		if (!ret)
			hs_scenario_free(sc);
	}
}

static void test_long_inputs(void)
{
	struct sim_scenario *sc;
	char err[256];
	size_t n = HS_SCENARIO_MAX_LINE + 10;
	char *s = malloc(HS_SCENARIO_MAX_BYTES + 2);

	memset(s, ' ', n);
	memcpy(s, "# a long comment", 16);
	CU_ASSERT_EQUAL(hs_scenario_parse("t.hsc", s, n, &sc, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "t.hsc:1:4096: expected a line of at most 4095 characters, "
				    "got 4105");
	memset(s, '\n', HS_SCENARIO_MAX_BYTES + 1);
	CU_ASSERT_EQUAL(
	    hs_scenario_parse("t.hsc", s, HS_SCENARIO_MAX_BYTES + 1, &sc, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "t.hsc:1:1: expected a file of at most 1048576 bytes, got "
				    "more");
	/* a word too long */
	memset(s, 'a', 100);
	CU_ASSERT_EQUAL(hs_scenario_parse("t.hsc", s, 100, &sc, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "t.hsc:1:1: expected a word of at most 63 characters, got "
				    "'aaaaaaaaaaaaaaaaaaaa...'");
	/* a tiny error buffer is not overrun */
	char small[8] = "xxxxxxx";
	CU_ASSERT_EQUAL(hs_scenario_parse("t.hsc", "frob\n", 5, &sc, small, 4), -EINVAL);
	CU_ASSERT_STRING_EQUAL(small, "t.h");
	CU_ASSERT_EQUAL(hs_scenario_parse("t.hsc", "frob\n", 5, &sc, NULL, 0), -EINVAL);
	free(s);
}

static void test_good_text(void)
{
	static const char text[] = HEAD "machine ram 32\r\n"
					"\tinit cpu-write p 0x100000 7 # tabs, CRLF, comments\r\n"
					"thread t # a comment\n"
					"  repeat 2\n"
					"    cpu-read p 0x100000 = 7\n"
					"  end\n"
					"final cpu-read p 0x100000 = 0x7\n"
					"explore pct 500 depth 4\n"
					"step-bound 3000\n"
					"expect clean";
	struct sim_scenario *sc;
	struct hs_scenario_plan plan;
	char err[256] = "";

	CU_ASSERT_EQUAL_FATAL(
	    hs_scenario_parse("dir/good.hsc", text, sizeof(text) - 1, &sc, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(sc->name, "good.hsc");
	CU_ASSERT_PTR_NULL(sc->expect);
	CU_ASSERT_EQUAL(sc->step_bound, 3000);
	hs_scenario_plan(sc, &plan);
	CU_ASSERT_EQUAL(plan.strategy, SIM_STRATEGY_PCT);
	CU_ASSERT_EQUAL(plan.iterations, 500);
	CU_ASSERT_EQUAL(plan.pct_depth, 4);
	CU_ASSERT(plan.expect_given);
	struct sim_result r = run(sc, SIM_STRATEGY_PCT, 200, 0, 1);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
	hs_scenario_free(sc);

	/* without a step-bound line, a file with large VMAs gets a bound that
	 * grows with them: a device THP's eviction walks 512 pages, over the
	 * engine's 20,000 points, and is no livelock (with the old default, as
	 * a `step-bound 20000` line gives, it was reported as one) */
	static const char big[] = "machine ram 2048\nprocess p va 16M\n"
				  "vma p 0x200000 512 rw huge\ndevice gpu0 pages 1024\n"
				  "mirror m0 gpu0 p\ninit cpu-write p 0x200000 0xa\n"
				  "init migrate-to-dev m0 0x200000 512\nthread evict\n"
				  "  evict gpu0\nfinal cpu-read p 0x200000 = 0xa\n";
	for (int old_bound = 0; old_bound < 2; old_bound++) {
		char text2[sizeof(big) + 32];
		snprintf(text2, sizeof(text2), "%s%s", big, old_bound ? "step-bound 20000\n" : "");
		CU_ASSERT_EQUAL_FATAL(
		    hs_scenario_parse("big.hsc", text2, strlen(text2), &sc, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(sc->step_bound, old_bound ? 20000 : 200 * 512 * 2);
		r = run(sc, SIM_STRATEGY_PCT, 1, 0, 1);
		CU_ASSERT_EQUAL(r.violations_found, old_bound);
		if (r.violations_found && r.nr_reports)
			CU_ASSERT_STRING_EQUAL(r.reports[0].kind, SIM_KIND_LIVELOCK);
		sim_result_free(&r);
		hs_scenario_free(sc);
	}
	/* a small file keeps the engine's default */
	CU_ASSERT_EQUAL_FATAL(
	    hs_scenario_parse("x.hsc", "thread t\n yield\n", 16, &sc, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sc->step_bound, 0);
	hs_scenario_free(sc);

	/* an empty file runs nothing: refused (issue 14) */
	CU_ASSERT_EQUAL(hs_scenario_parse("x.hsc", "", 0, &sc, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(
	    err, "x.hsc:1:1: expected a thread block or an init or final step, got end of file");
	CU_ASSERT_EQUAL(hs_scenario_parse("x.hsc", "process p va 4M\n", 16, &sc, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(
	    err, "x.hsc:2:1: expected a thread block or an init or final step, got end of file");

	/* explore dpor: every execution (no count), or at most N */
	static const struct {
		const char *text;
		uint64_t iterations;
	} dpor_lines[] = {{"thread t\n yield\nexplore dpor\n", 0},
			  {"thread t\n yield\nexplore dpor 7\n", 7}};
	for (unsigned int i = 0; i < sizeof(dpor_lines) / sizeof(dpor_lines[0]); i++) {
		const char *t = dpor_lines[i].text;
		CU_ASSERT_EQUAL_FATAL(
		    hs_scenario_parse("x.hsc", t, strlen(t), &sc, err, sizeof(err)), 0);
		hs_scenario_plan(sc, &plan);
		CU_ASSERT_EQUAL(plan.strategy, SIM_STRATEGY_DPOR);
		CU_ASSERT_EQUAL(plan.iterations, dpor_lines[i].iterations);
		hs_scenario_free(sc);
	}

	/* no explore line: pct 10000 */
	CU_ASSERT_EQUAL_FATAL(
	    hs_scenario_parse("x.hsc", "thread t\n yield\n", 16, &sc, err, sizeof(err)), 0);
	hs_scenario_plan(sc, &plan);
	CU_ASSERT_EQUAL(plan.strategy, SIM_STRATEGY_PCT);
	CU_ASSERT_EQUAL(plan.iterations, 10000);
	CU_ASSERT(!plan.expect_given);
	hs_scenario_free(sc);
}

/* A step that fails at run time says where, and what it got. */
static void test_runtime_messages(void)
{
	static const struct {
		const char *text, *kind, *msg;
	} cases[] = {
	    {HEAD "init cpu-write p 0x100000 1\ninit cpu-read p 0x100000 = 5\n", "assertion",
	     "r.hsc:6: cpu-read p 0x100000 = 5: read 0x1 at 0x100000, expected 0x5"},
	    {HEAD "init munmap p 0x100000 1\ninit cpu-read p 0x100000\n", "assertion",
	     "r.hsc:6: cpu-read p 0x100000: returned -EFAULT (add may-fail if it may)"},
	    {HEAD "init cpu-write p 0x100000 1\ninit cpu-read p 0x100000 fails EFAULT\n",
	     "assertion",
	     "r.hsc:6: cpu-read p 0x100000 fails EFAULT: returned 0, expected -EFAULT"},
	    {HEAD "init unlock m0\n", "assertion",
	     "r.hsc:5: unlock m0: this thread does not hold the lock"},
	    {HEAD "init lock m0\ninit lock m0\n", "deadlock",
	     "r.hsc:6: lock m0: this thread already holds the lock"},
	    {HEAD "thread t\n  lock m0\n", "assertion",
	     "r.hsc: thread t ends holding the lock of m0"},
	    {HEAD
	     "init read-begin m0 s\ninit range-fault m0 s 0x100000 1 fault\ninit program m0 s\n",
	     "lock-not-held", "hs_dmirror_program: &dmirror->mutex not held"},
	    {HEAD "init device-read-mirror m0 0x100000 1\n", "assertion",
	     "r.hsc:5: device-read-mirror m0 0x100000 1: returned -ENOENT (add may-fail if it "
	     "may)"},
	    {HEAD "init read-begin m0 s\ninit range-fault m0 s 0x100000 1 fault\n"
		  "init madvise p 0x100000 1\ninit lock m0\ninit read-retry m0 s on-fail fail\n",
	     "assertion",
	     "r.hsc:9: read-retry m0 s on-fail fail: an invalidation ran since read-begin"},
	    {HEAD "init read-begin m0 s\ninit munmap p 0x100000 1\n"
		  "init range-fault m0 s 0x100000 1 nofault\n",
	     "assertion",
	     "r.hsc:7: range-fault m0 s 0x100000 1 nofault: returned -EBUSY (on-busy restart "
	     "starts again from read-begin)"},
	    {HEAD "init cpu-write p 0x100000 1\ninit check-entry m0 0x100000 ram\n", "assertion",
	     "r.hsc:6: check-entry m0 0x100000 ram: the entry is none (0), expected ram"},
	    {HEAD "init owner-change gpu0 q\n", "assertion",
	     "r.hsc:5: owner-change gpu0 q: returned -EOPNOTSUPP (add may-fail if it may)"},
	    {HEAD "init device-atomic m0 0x100000 1 2 = 5\n", "assertion",
	     "r.hsc:5: device-atomic m0 0x100000 1 2 = 5: read 0 at 0x100000, expected 0x5"},
	    /* a P2P pfn the importer cannot DMA-map (NOT_SUPPORTED: two root ports of a
	     * bridge not on the allowlist; v1, no requester to decline for) */
	    {"host-bridge hb0\nroot-port rp0 hb0\nroot-port rp1 hb0\nprocess p va 4M\n"
	     "vma p 0x100000 1 rw\ndevice e pages 1 at rp0 p2p\ndevice i pages 1 at rp1\n"
	     "mirror me e p\nmirror mi i p p2p\ninit cpu-write p 0x100000 1\n"
	     "init migrate-to-dev me 0x100000 1\ninit read-begin mi s\n"
	     "init range-fault mi s 0x100000 1 fault|p2p\ninit lock mi\ninit program mi s\n",
	     "assertion", "r.hsc:15: program mi s: returned -EREMOTEIO (add may-fail if it may)"},
	    {HEAD "init cpu-write p 0x100000 1\ninit migrate-to-dev m0 0x100000 1\n"
		  "init check-unplugged gpu0\n",
	     "assertion", "r.hsc:7: check-unplugged gpu0: 1 of its pages still in use"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_scenario *sc;
		char err[256];
		int ret = hs_scenario_parse("r.hsc", cases[i].text, strlen(cases[i].text), &sc, err,
					    sizeof(err));
		CU_ASSERT_EQUAL(ret, 0);
		if (ret) {
			fprintf(stderr, "\n    case %zu: %s\n", i, err);
			continue;
		}
		struct sim_result r = run(sc, SIM_STRATEGY_RANDOM, 1, 0, 1);
		CU_ASSERT_EQUAL(r.nr_reports, 1);
		if (r.nr_reports) {
			CU_ASSERT_STRING_EQUAL(r.reports[0].kind, cases[i].kind);
			CU_ASSERT_STRING_EQUAL(r.reports[0].message, cases[i].msg);
			if (strcmp(r.reports[0].message, cases[i].msg))
				fprintf(stderr,
					"\n    case %zu: got  \"%s\"\n            want \"%s\"\n", i,
					r.reports[0].message, cases[i].msg);
		}
		sim_result_free(&r);
		hs_scenario_free(sc);
	}
}

/* ---- mutations ------------------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic across runs */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* Offsets of line starts in @s. */
static size_t line_starts(const char *s, size_t len, size_t *at, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n < max; i++)
		if (i == 0 || s[i - 1] == '\n')
			at[n++] = i;
	return n;
}

static const char *const words[] = {
    "0",
    "1",
    "0x100000",
    "0x101000",
    "0x200000",
    "65",
    "1000",
    "99999999999999999999",
    "=",
    "may-fail",
    "fails",
    "EBUSY",
    "repeat",
    "end",
    "thread",
    "lock",
    "unlock",
    "m0",
    "p",
    "gpu0",
    "s1",
    "restart",
    "on-busy",
    "on-fail",
    "fault|write",
    "nofault",
    "fault|p2p",
    "nofault|p2p",
    "fault|write|p2p",
    "EREMOTEIO",
    "no-check-data",
    "program",
    "read-retry",
    "signal",
    "wait",
    "x",
    "evict",
    "release",
    "init",
    "final",
    "expect",
    "violation",
    "clean",
    "#",
    "\t",
    "\r",
    "|",
    "unplug",
    "plug",
    "hotplug",
    "p2p",
    "at",
    "sw0.0",
    "sw0.1",
    "rp0",
    "owner",
    "cluster",
    "link",
    "safe",
    "surprise",
    "devm",
    "free-first",
    "requester",
    "r,w",
    "none",
    "one-way",
    "check-entry",
    "owner-change",
    "peer-group",
    "mutable",
    "device-atomic",
    "snapshot",
    "check-faults",
    "check-migrated",
    "map",
    "on-error",
    "stop",
    "continue",
    "retry",
    "max",
    "callback",
    "set-seq",
    "clear",
    "return",
    "if",
    "unless",
    "own-migrate",
    "migrate|clear",
    "w|dev",
    "r|dev-remote",
    "error",
    /* THP and mremap (model/huge_memory.c, model/mremap.c) */
    "mremap",
    "dontunmap",
    "huge",
    "0x300000",
    "w|pmd",
    "r|zero|pmd",
    /* fork, device-exclusive, pins (issue 13) */
    "fork",
    "fork-of",
    "c",
    "device-exclusive",
    "check-exclusive",
    "pin",
    "unpin",
    "longterm",
    "exclusive-no-unlock",
    "exclusive-unlock-early",
    "nonblock-skip",
    "oom-reap",
    "mmput",
    "protection-page",
    /* device-coherent memory, madvise huge (issue 13) */
    "coherent",
    "w|coh",
    "r|coh-remote",
    "madvise",
    "0x600000",
    "512",
};

/* One random edit of @s (capacity @cap) in place; returns the new length. */
static size_t mutate(char *s, size_t len, size_t cap)
{
	size_t at[4096], n = line_starts(s, len, at, 4096), a, b, l;
	char tmp[8192];

	switch (rnd_below(8)) {
	case 0: /* one byte replaced */
		if (len)
			s[rnd_below(len)] =
			    (char)(rnd_below(4) ? 0x20 + rnd_below(95) : rnd_below(256));
		return len;
	case 1: /* a line deleted */
		if (!n)
			return len;
		a = at[rnd_below(n)];
		b = a;
		while (b < len && s[b] != '\n')
			b++;
		if (b < len)
			b++;
		memmove(s + a, s + b, len - b);
		return len - (b - a);
	case 2: /* a line duplicated */
		if (!n)
			return len;
		a = at[rnd_below(n)];
		b = a;
		while (b < len && s[b] != '\n')
			b++;
		if (b < len)
			b++;
		l = b - a;
		if (len + l > cap || l > sizeof(tmp))
			return len;
		memcpy(tmp, s + a, l);
		memmove(s + b + l, s + b, len - b);
		memcpy(s + b, tmp, l);
		return len + l;
	case 3: /* a word inserted */
	{
		const char *w = words[rnd_below(sizeof(words) / sizeof(words[0]))];
		size_t wl = strlen(w) + 1;
		if (len + wl > cap)
			return len;
		a = rnd_below(len + 1);
		memmove(s + a + wl, s + a, len - a);
		memcpy(s + a, w, wl - 1);
		s[a + wl - 1] = ' ';
		return len + wl;
	}
	case 4: /* truncated */
		return rnd_below(len + 1);
	case 5: /* two lines swapped (by moving one to the end) */
		if (!n)
			return len;
		a = at[rnd_below(n)];
		b = a;
		while (b < len && s[b] != '\n')
			b++;
		l = b - a;
		if (l > sizeof(tmp))
			return len;
		memcpy(tmp, s + a, l);
		memmove(s + a, s + b, len - b);
		memcpy(s + len - l, tmp, l);
		return len;
	case 6: /* a digit changed */
		for (int tries = 0; tries < 50 && len; tries++) {
			a = rnd_below(len);
			if (s[a] >= '0' && s[a] <= '9') {
				s[a] = (char)('0' + rnd_below(10));
				break;
			}
		}
		return len;
	default: /* a range of bytes deleted */
		if (!len)
			return len;
		a = rnd_below(len);
		l = rnd_below(len - a < 40 ? len - a : 40) + 1;
		memmove(s + a, s + a + l, len - a - l);
		return len - l;
	}
}

static void test_mutations(void)
{
	enum { CAP = 1 << 17 };
	char *buf = malloc(CAP), err[512];
	int loaded = 0, refused = 0, ran = 0, N = 1000, max_run = 300;
	/* HMMSIM_MUTATIONS=N for a longer run (every loaded file then runs) */
	if (getenv("HMMSIM_MUTATIONS")) {
		N = atoi(getenv("HMMSIM_MUTATIONS"));
		max_run = N;
	}

	read_files();
	CU_ASSERT_FATAL(nfiles > 0);
	for (int i = 0; i < N; i++) {
		const struct text *t = &files[rnd_below((size_t)nfiles)];
		size_t len = t->len;
		struct sim_scenario *sc;

		memcpy(buf, t->buf, len);
		for (int e = 1 + (int)rnd_below(3); e > 0; e--)
			len = mutate(buf, len, CAP);
		int ret = hs_scenario_parse(t->name, buf, len, &sc, err, sizeof(err));
		CU_ASSERT(ret == 0 || ret == -EINVAL);
		if (ret) {
			refused++;
			/* one line: "FILE:LINE:COL: expected ..., got ..." */
			CU_ASSERT(!strncmp(err, t->name, strlen(t->name)));
			CU_ASSERT_PTR_NOT_NULL(strstr(err, ": expected "));
			CU_ASSERT_PTR_NULL(strchr(err, '\n'));
			continue;
		}
		loaded++;
		/* a file that loads also runs: a few executions, whatever they find */
		if (ran < max_run) {
			struct sim_options o = {
			    .strategy = SIM_STRATEGY_RANDOM, .seed = (uint64_t)i, .iterations = 3};
			struct sim_result r;
			CU_ASSERT_EQUAL(sim_explore(sc, &o, &r), 0);
			sim_result_free(&r);
			ran++;
		}
		hs_scenario_free(sc);
	}
	printf("(%d loaded, %d refused, %d run) ", loaded, refused, ran);
	CU_ASSERT(N < 1000 || (loaded > 50 && refused > 50));
	/* no switch leaks out of a freed scenario */
	CU_ASSERT(!hs_switch.migrate_no_dirty_copy && !hs_switch.hmm_no_owner_check &&
		  !hs_switch.notifier_remove_lockless_wait);
	/* nor an owner policy */
	CU_ASSERT(hs_owner_policy == HS_OWNER_POINTER && hs_owner_id_bits == 32 && !hs_owner_flags);
	free(buf);
}

/* ---- the corpus covers every step --------------------------------------------------- */

/* Whether some line of @t names the step @name (after "init " / "final "). */
static bool text_has_step(const struct text *t, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < t->len; i++) {
		if (i && t->buf[i - 1] != '\n')
			continue;
		size_t a = i;
		while (a < t->len && (t->buf[a] == ' ' || t->buf[a] == '\t'))
			a++;
		if (a + 5 <= t->len && !strncmp(t->buf + a, "init ", 5))
			a += 5;
		else if (a + 6 <= t->len && !strncmp(t->buf + a, "final ", 6))
			a += 6;
		if (a + n <= t->len && !strncmp(t->buf + a, name, n) &&
		    (a + n == t->len || strchr(" \t\r\n", t->buf[a + n])))
			return true;
	}
	return false;
}

/* Whether @t has @word as a word outside comments (words split at blanks and
 * at '|', so that "w|coh-remote" has "coh-remote"). */
static bool text_has_word(const struct text *t, const char *word)
{
	size_t n = strlen(word), i = 0;

	while (i < t->len) {
		if (t->buf[i] == '#') {
			while (i < t->len && t->buf[i] != '\n')
				i++;
			continue;
		}
		if (strchr(" \t\r\n|", t->buf[i])) {
			i++;
			continue;
		}
		size_t a = i;
		while (i < t->len && !strchr(" \t\r\n|#", t->buf[i]))
			i++;
		if (i - a == n && !strncmp(t->buf + a, word, n))
			return true;
	}
	return false;
}

/*
 * The mutation test above and the fuzz target (scripts/fuzz copies every
 * tests/scenarios file into its corpus) start from these files: every step of
 * the table, and the modifiers of the fork, device-exclusive, pin, mremap,
 * THP and device-coherent steps, must be in one of them.
 */
static void test_corpus_covers_steps(void)
{
	static const char *const modifiers[] = {
	    "fork-of", "longterm",   "dontunmap",	    "huge", "coherent", "pmd",
	    "coh",     "coh-remote", "exclusive-no-unlock",
	};
	const char *name, *grammar, *doc;

	read_files();
	for (unsigned int k = 0; hs_scenario_step_doc(k, &name, &grammar, &doc); k++) {
		int i = 0;
		while (i < nfiles && !text_has_step(&files[i], name))
			i++;
		if (i == nfiles) {
			fprintf(stderr, "\n    no tests/scenarios file uses the step %s", name);
			CU_FAIL("a step no seed file uses");
		}
	}
	for (size_t k = 0; k < sizeof(modifiers) / sizeof(modifiers[0]); k++) {
		int i = 0;
		while (i < nfiles && !text_has_word(&files[i], modifiers[k]))
			i++;
		if (i == nfiles) {
			fprintf(stderr, "\n    no tests/scenarios file uses %s", modifiers[k]);
			CU_FAIL("a modifier no seed file uses");
		}
	}
	/* and the runtime madvise(MADV_HUGEPAGE) form */
	const struct text *t = file_named("thp-madvise.hsc");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(text_has_step(t, "madvise") && text_has_word(t, "huge"));
}

/* ---- loaded files explore to their expected outcome ------------------------------------ */

static void explore_file(const char *name, bool want_exhausted)
{
	const struct text *t = file_named(name);
	struct sim_scenario *sc;
	struct hs_scenario_plan plan;
	char err[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL_FATAL(hs_scenario_parse(name, t->buf, t->len, &sc, err, sizeof(err)), 0);
	hs_scenario_plan(sc, &plan);
	struct sim_options o = {
	    .strategy = plan.strategy,
	    .seed = 1,
	    .iterations = plan.iterations ? plan.iterations : 10000000,
	    .pct_depth = plan.pct_depth,
	    .dfs_preemptions = plan.preemptions,
	};
	struct sim_result r;
	CU_ASSERT_EQUAL_FATAL(sim_explore(sc, &o, &r), 0);
	if (sc->expect) {
		CU_ASSERT_EQUAL(r.nr_reports, 1);
		CU_ASSERT_STRING_EQUAL(first_kind(&r), sc->expect);
	} else {
		CU_ASSERT_EQUAL(r.violations_found, 0);
		if (r.nr_reports)
			fprintf(stderr, "\n    %s: %s: %s\n", name, r.reports[0].kind,
				r.reports[0].message);
		if (want_exhausted)
			CU_ASSERT(r.exhausted);
	}
	sim_result_free(&r);
	hs_scenario_free(sc);
}

static void test_explore_driver_steps(void)
{
	explore_file("driver-steps.hsc", true);
	explore_file("driver-steps-noretry.hsc", false);
	explore_file("driver-steps-retry-unlocked.hsc", false);
}

static void test_explore_switches(void)
{
	explore_file("dirty-bit.hsc", false);
	CU_ASSERT(!hs_switch.migrate_no_dirty_copy); /* restored by hs_scenario_free() */
	explore_file("dirty-bit-fixed.hsc", false);
	explore_file("owner.hsc", false);
}

/* P2P, owner policies, hot unplug: as the C scenarios of the same names */
static void test_explore_p2p_owner(void)
{
	explore_file("p2p-read.hsc", true);
	explore_file("p2p-unplug-free-first.hsc", false);
	explore_file("p2p-unplug-devm.hsc", false);
	explore_file("owner-id-wrap.hsc", false);
	explore_file("owner-group-unplug.hsc", false);
	explore_file("owner-change-pointer.hsc", true);
	/* the policy is restored by hs_scenario_free() */
	CU_ASSERT_EQUAL(hs_owner_policy, HS_OWNER_POINTER);
	CU_ASSERT_EQUAL(hs_owner_id_bits, 32);
	CU_ASSERT_EQUAL(hs_owner_flags, 0);
}

/* The protocol steps with |p2p (hs_dmirror_range_fault_flags()), -EREMOTEIO
 * and the fallback; a surprise removal's cleanup with no-check-data */
static void test_explore_p2p_steps(void)
{
	explore_file("p2p-steps.hsc", true);
	explore_file("p2p-steps-noretry.hsc", false);
	explore_file("p2p-steps-fallback.hsc", true);
	explore_file("p2p-unplug-surprise-cleanup.hsc", true);

	/* without no-check-data the data oracle finds the loss the surprise
	 * removal causes by design */
	const struct text *t = file_named("p2p-unplug-surprise-cleanup.hsc");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	char *buf = malloc(t->len + 1), err[512];
	memcpy(buf, t->buf, t->len);
	buf[t->len] = 0;
	char *nc = strstr(buf, "\nno-check-data");
	CU_ASSERT_PTR_NOT_NULL_FATAL(nc);
	nc[1] = '#';
	struct sim_scenario *sc;
	CU_ASSERT_EQUAL_FATAL(hs_scenario_parse("c.hsc", buf, t->len, &sc, err, sizeof(err)), 0);
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DFS, .seed = 1, .iterations = 10000000, .dfs_preemptions = 1};
	struct sim_result r;
	CU_ASSERT_EQUAL_FATAL(sim_explore(sc, &o, &r), 0);
	CU_ASSERT_EQUAL(r.nr_reports, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), "data-loss");
	sim_result_free(&r);
	hs_scenario_free(sc);
	free(buf);
}

static void test_explore_others(void)
{
	explore_file("mirror-access.hsc", false);
	explore_file("munmap.hsc", true);
	explore_file("livelock.hsc", false);
	explore_file("lock-order.hsc", false);
}

/* Same file, same seed: the same violation, message, step count and token. */
static void test_deterministic(void)
{
	const struct text *t = file_named("driver-steps-retry-unlocked.hsc");
	struct sim_scenario *a, *b;
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL_FATAL(hs_scenario_parse("x/d.hsc", t->buf, t->len, &a, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL_FATAL(hs_scenario_parse("y/d.hsc", t->buf, t->len, &b, err, sizeof(err)),
			      0);
	struct sim_result ra = run(a, SIM_STRATEGY_PCT, 20000, 0, 7);
	struct sim_result rb = run(b, SIM_STRATEGY_PCT, 20000, 0, 7);
	CU_ASSERT_EQUAL_FATAL(ra.nr_reports, 1);
	CU_ASSERT_EQUAL_FATAL(rb.nr_reports, 1);
	CU_ASSERT_STRING_EQUAL(ra.reports[0].message, rb.reports[0].message);
	CU_ASSERT_STRING_EQUAL(ra.reports[0].schedule, rb.reports[0].schedule);
	CU_ASSERT_EQUAL(ra.reports[0].steps, rb.reports[0].steps);
	/* and the token replays */
	struct sim_options o = {.strategy = SIM_STRATEGY_REPLAY,
				.schedule = ra.reports[0].schedule};
	struct sim_result rr;
	CU_ASSERT_EQUAL(sim_explore(b, &o, &rr), 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&rr), "coherence");
	sim_result_free(&rr);
	sim_result_free(&ra);
	sim_result_free(&rb);
	hs_scenario_free(a);
	hs_scenario_free(b);
}

/* "a|b" as markdown table cells show it: "a\|b". */
static void md_escape(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in && n + 2 < len; in++) {
		if (*in == '|')
			out[n++] = '\\';
		out[n++] = *in;
	}
	out[n] = 0;
}

/* docs/scenarios.md's step reference is the step table: one row per step, in
 * the table's order, "| `NAME GRAMMAR` | DOC | examples |". */
static void test_docs_match_table(void)
{
	char path[512], line[8192], want[8192], esc_g[512], esc_d[6000];
	const char *name, *grammar, *doc;
	unsigned int i = 0, rows = 0;
	bool in_steps = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/../../docs/scenarios.md", HMMSIM_SCENARIO_DIR);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3) || !strncmp(line, "### ", 4))
			in_steps = !strcmp(line, "## Steps\n");
		if (!in_steps || strncmp(line, "| `", 3))
			continue;
		rows++;
		if (!hs_scenario_step_doc(i++, &name, &grammar, &doc)) {
			fprintf(stderr, "\n    docs/scenarios.md has a step the table lacks: %s",
				line);
			CU_FAIL("a step in the docs, not in the table");
			continue;
		}
		md_escape(grammar, esc_g, sizeof(esc_g));
		md_escape(doc, esc_d, sizeof(esc_d));
		snprintf(want, sizeof(want), "| `%s%s%s` | %s | ", name, *grammar ? " " : "", esc_g,
			 esc_d);
		if (strncmp(line, want, strlen(want))) {
			fprintf(stderr,
				"\n    docs/scenarios.md:  %.*s\n    the table wants:    %s\n",
				(int)strlen(want), line, want);
			CU_FAIL("a step row differs from the table");
		}
	}
	fclose(f);
	while (hs_scenario_step_doc(i, &name, &grammar, &doc)) {
		fprintf(stderr, "\n    the table has a step docs/scenarios.md lacks: %s %s\n", name,
			grammar);
		CU_FAIL("a step in the table, not in the docs");
		i++;
	}
	CU_ASSERT(rows >= 30);
}

/* The same for the actions of a scripted callback: "| `NAME` | DOC | ...". */
static void test_docs_match_callbacks(void)
{
	char path[512], line[8192], want[8192], esc[6000];
	const char *name, *doc;
	unsigned int i = 0;
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/../../docs/scenarios.md", HMMSIM_SCENARIO_DIR);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3) || !strncmp(line, "### ", 4))
			in = !strcmp(line, "### Invalidate callbacks as actions\n");
		if (!in || strncmp(line, "| `", 3))
			continue;
		if (!hs_scenario_callback_doc(i++, &name, &doc)) {
			fprintf(stderr, "\n    an action in the docs, not in the table: %s", line);
			CU_FAIL("an action in the docs, not in the table");
			continue;
		}
		md_escape(doc, esc, sizeof(esc));
		snprintf(want, sizeof(want), "| `%s` | %s | ", name, esc);
		if (strncmp(line, want, strlen(want))) {
			fprintf(stderr,
				"\n    docs/scenarios.md:  %.*s\n    the table wants:    %s\n",
				(int)strlen(want), line, want);
			CU_FAIL("an action row differs from the table");
		}
	}
	fclose(f);
	CU_ASSERT(i >= 5);
	CU_ASSERT(!hs_scenario_callback_doc(i, &name, &doc));
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("scenario_file", NULL, NULL);
	CU_add_test(s, "every tests/scenarios file loads", test_good_files_load);
	CU_add_test(s, "docs/scenarios.md's step reference is the step table",
		    test_docs_match_table);
	CU_add_test(s, "docs/scenarios.md's callback actions are the action table",
		    test_docs_match_callbacks);
	CU_add_test(s, "a missing file", test_load_missing_file);
	CU_add_test(s, "what names a file", test_is_file);
	CU_add_test(s, "error messages, exact", test_error_messages);
	CU_add_test(s, "long lines, big files, small buffers", test_long_inputs);
	CU_add_test(s, "a good text: tabs, CRLF, plan, step bound", test_good_text);
	CU_add_test(s, "run-time failures name their line", test_runtime_messages);
	CU_add_test(s, "1000 mutated files load or fail cleanly", test_mutations);
	CU_add_test(s, "the seed files use every step and modifier", test_corpus_covers_steps);
	CU_add_test(s, "driver protocol files explore as expected", test_explore_driver_steps);
	CU_add_test(s, "switch files explore as expected", test_explore_switches);
	CU_add_test(s, "other files explore as expected", test_explore_others);
	CU_add_test(s, "P2P, owner and unplug files explore as expected", test_explore_p2p_owner);
	CU_add_test(s, "P2P protocol steps, no-check-data files explore as expected",
		    test_explore_p2p_steps);
	CU_add_test(s, "deterministic, replayable", test_deterministic);
}
