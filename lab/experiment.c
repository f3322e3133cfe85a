// SPDX-License-Identifier: MIT
/*
 * The owner experiment's scenarios (include/hmmsim/experiment.h): each one
 * is run under every owner policy by `hmmsim experiment owner`, and each
 * pair is also a scenario of its own, "SCENARIO@CONFIG" (for example
 * owner-group-unplug@peer-group, owner-id-wrap@cluster-id:4: ':' for the
 * table's '/', which the CLI takes for a file path), found by
 * hs_model_scenario_find().
 *
 * Devices belong to interconnect clusters (hs_dmirror_device_set_owner());
 * the wrong-owner oracle in the driver knows which device may really use
 * which memory, whatever the keys the model compares say (under peer-group:
 * physical reachability).  The lab's PCI topology agrees with the clusters:
 * one host bridge that is not on the P2P allowlist, two root ports with a
 * switch each; devices of one cluster sit below one switch (BUS_ADDR), two
 * switches cannot talk (NOT_SUPPORTED), and hs_pci_link_set() closes a pair
 * below one switch where a scenario needs two devices that cannot reach
 * each other although a third reaches both.
 *
 * How an importer reaches an exporter's device-private page depends on the
 * policy (lab_device(), lab_open()): sharing a cluster key (pointer,
 * cluster-id, mutable*, reregister) or a peer group (peer-group): directly;
 * p2p-callback: every device has a BAR (hs_dmirror_device_set_p2p()) and
 * every mirror allows P2P naming its device, so a mismatch is answered per
 * page by the exporter's get_p2p_page() from its grant set; range-callback:
 * the requester's p2p_allow callback says yes for a pgmap whose device
 * grants it its memory.
 */
#include <errno.h>
#include <hmmsim/dmirror.h>
#include <hmmsim/experiment.h>
#include <hmmsim/mm.h>
#include <hmmsim/owner.h>
#include <hmmsim/p2pdma.h>
#include <stdio.h>
#include <string.h>

#define BASE 0x100000ul

struct hs_p2p_stats hs_owner_lab_p2p;

struct lab {
	struct hs_mm *mm;
	struct hs_dmirror_device *a, *c, *n;
	struct hs_dmirror *ma, *mc, *mn;
	void *cluster_p, *cluster_q;
	void *key_p, *key_q;
	struct hs_pci_switch *sw[2];
	unsigned int next_port[2];
	struct hs_pci_dev *pdev_n;
};

/* A cluster: only its address matters (an identity for the oracle). */
static void *cluster_new(void)
{
	return sim_alloc(8);
}

static void cpu_write(struct lab *l, unsigned long addr, unsigned long v)
{
	sim_check(hs_cpu_write(l->mm, addr, v) == 0, "CPU write of %#lx failed", addr);
}

/* The previous execution's P2P counters (hs_machine_init() resets them). */
static void lab_account(void)
{
	unsigned long *from = (unsigned long *)&hs_p2p_stats,
		      *to = (unsigned long *)&hs_owner_lab_p2p;
	for (size_t i = 0; i < sizeof(hs_p2p_stats) / sizeof(unsigned long); i++)
		to[i] += from[i];
}

/* A PCI function below switch @sw. */
static struct hs_pci_dev *lab_pdev(struct lab *l, int sw, const char *name)
{
	sim_check(l->next_port[sw] < 4, "lab: switch %d full", sw);
	return hs_pci_device_add(l->sw[sw]->down[l->next_port[sw]++], name);
}

/* A device with 2 pages on @pdev; an exporter gets a BAR under p2p-callback. */
static struct hs_dmirror_device *lab_device(const char *name, struct hs_pci_dev *pdev,
					    bool exporter)
{
	struct hs_dmirror_device *d = hs_dmirror_device_create(name, 2);
	if (exporter && hs_owner_policy == HS_OWNER_P2P_CALLBACK)
		sim_check(hs_dmirror_device_set_p2p(d, pdev) == 0, "%s: no BAR", name);
	else
		hs_dmirror_device_set_pci(d, pdev);
	return d;
}

/* A mirror; it faults with P2P allowed (naming its device) under p2p-callback. */
static struct hs_dmirror *lab_open(struct lab *l, struct hs_dmirror_device *d)
{
	struct hs_dmirror *m = hs_dmirror_open(d, l->mm);
	if (hs_owner_policy == HS_OWNER_P2P_CALLBACK)
		hs_dmirror_set_allow_p2p(m, true);
	return m;
}

/* The machine, an mm with @npages mapped, the topology (no device yet). */
static struct lab *lab_machine(unsigned long npages)
{
	struct lab *l = sim_alloc(sizeof(*l));
	lab_account();
	hs_machine_init(32, 32);
	hs_owner_lab_reset();
	l->mm = hs_mm_alloc("proc", 1ul << 22, 8);
	sim_check(hs_mmap(l->mm, BASE, npages * HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0,
		  "mmap");
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	for (int i = 0; i < 2; i++)
		l->sw[i] = hs_pci_switch_add(hs_pci_root_port_add(hb), 4);
	return l;
}

/* Two devices, a (its memory holds the data) and c, with mirrors of one mm,
 * below switch 0 (same) or a below switch 1 (apart). */
static struct lab *lab_new(unsigned long npages, bool apart)
{
	struct lab *l = lab_machine(npages);
	l->a = lab_device("dmirror-a", lab_pdev(l, apart ? 1 : 0, "a"), true);
	l->c = lab_device("dmirror-c", lab_pdev(l, 0, "c"), true);
	l->ma = lab_open(l, l->a);
	l->mc = lab_open(l, l->c);
	return l;
}

/* a and c share cluster P (key_p); cluster Q (key_q) exists. */
static void lab_share_p(struct lab *l)
{
	l->cluster_p = cluster_new();
	l->cluster_q = cluster_new();
	l->key_p = hs_owner_key(l->cluster_p);
	l->key_q = hs_owner_key(l->cluster_q);
	hs_dmirror_device_set_owner(l->a, l->cluster_p, l->key_p);
	hs_dmirror_device_set_owner(l->c, l->cluster_p, l->key_p);
}

/* c reads a's page: the value is @v (any of two, when a CPU writes it). */
static void read_c(struct lab *l, unsigned long v, unsigned long v2)
{
	unsigned long got;
	int ret = hs_dmirror_read(l->mc, BASE, 1, &got, NULL);
	sim_check(ret == 0, "device c read failed: %d", ret);
	sim_check(got == v || got == v2, "device c read %#lx", got);
}

/* ---- an owner change while another device of the old cluster faults ----------
 * a and c share cluster P; a's memory holds the page.  c reads it twice
 * while a moves to cluster Q.  After the change c must no longer reach a's
 * memory (directly, or through a P2P grant): its second read must go
 * through host memory.  Pointer, cluster-id and peer-group refuse the
 * change.
 */
static void change_device(void *arg)
{
	struct lab *l = arg;
	for (int i = 0; i < 2; i++)
		read_c(l, 0x5a, 0x5a);
}

static void change_owner(void *arg)
{
	struct lab *l = arg;
	int ret = hs_dmirror_device_change_owner(l->a, l->cluster_q, l->key_q);
	sim_check(ret == 0 || ret == -EOPNOTSUPP, "owner change failed: %d", ret);
}

static void change_main(void *arg)
{
	(void)arg;
	struct lab *l = lab_new(1, false);
	lab_share_p(l);
	cpu_write(l, BASE, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(l->ma, BASE, 1) == 0, "migrate to device a");
	int t[2] = {sim_thread_spawn("device-c", change_device, l),
		    sim_thread_spawn("change", change_owner, l)};
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* ---- P2P fault racing the exporter's hot unplug ---------------------------------
 * a (the exporter: its memory holds the page) and c (the importer) share
 * cluster P; c reads the page twice while a is unplugged
 * (HS_DMIRROR_UNPLUG_SAFE: revoke, invalidate, migrate out, tear down).
 */
static void unplug_exporter(void *arg)
{
	struct lab *l = arg;
	int ret = hs_dmirror_device_unplug(l->a, HS_DMIRROR_UNPLUG_SAFE);
	sim_check(ret == 0, "unplug of device a failed: %d", ret);
}

static void p2p_unplug_main(void *arg)
{
	(void)arg;
	struct lab *l = lab_new(1, false);
	lab_share_p(l);
	cpu_write(l, BASE, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(l->ma, BASE, 1) == 0, "migrate to device a");
	int t[2] = {sim_thread_spawn("importer-c", change_device, l),
		    sim_thread_spawn("unplug-a", unplug_exporter, l)};
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* ---- P2P fault racing a CPU fault that migrates the page back -------------------- */

static void cpu_reader(void *arg)
{
	struct lab *l = arg;
	unsigned long v = 0;
	sim_check(hs_cpu_read(l->mm, BASE, &v) == 0 && v == 0x5a, "CPU read %#lx", v);
}

static void p2p_cpu_main(void *arg)
{
	(void)arg;
	struct lab *l = lab_new(1, false);
	lab_share_p(l);
	cpu_write(l, BASE, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(l->ma, BASE, 1) == 0, "migrate to device a");
	int t[2] = {sim_thread_spawn("importer-c", change_device, l),
		    sim_thread_spawn("cpu", cpu_reader, l)};
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* ---- cluster ids wrap around ----------------------------------------------------
 * c's cluster X is registered first; then 15 clusters come and go; then a's
 * new cluster Y.  With 4-bit ids Y gets X's id: c reaches a's memory
 * directly, though the two share no interconnect (different switches).
 */
static void wrap_device(void *arg)
{
	struct lab *l = arg;
	unsigned long v;
	sim_check(hs_dmirror_read(l->mc, BASE, 1, &v, NULL) == 0, "device c read failed");
	sim_check(v == 0x77, "device c read %#lx", v);
}

static void wrap_cpu(void *arg)
{
	struct lab *l = arg;
	unsigned long v = 0;
	sim_check(hs_cpu_read(l->mm, BASE + HS_PAGE_SIZE, &v) == 0 && v == 0x78, "CPU read");
}

static void wrap_main(void *arg)
{
	(void)arg;
	struct lab *l = lab_new(2, true);
	void *x = cluster_new(), *y = cluster_new();
	void *key_x = hs_owner_key(x);
	hs_dmirror_device_set_owner(l->c, x, key_x);
	for (int i = 0; i < 15; i++)
		(void)hs_owner_key(cluster_new()); /* clusters that came and went */
	hs_dmirror_device_set_owner(l->a, y, hs_owner_key(y));
	cpu_write(l, BASE, 0x77);
	cpu_write(l, BASE + HS_PAGE_SIZE, 0x78);
	sim_check(hs_dmirror_migrate_to_dev(l->ma, BASE, 2) == 0, "migrate to device a");
	int t[2] = {sim_thread_spawn("device-c", wrap_device, l),
		    sim_thread_spawn("cpu", wrap_cpu, l)};
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, BASE, BASE + 2 * HS_PAGE_SIZE);
}

/* ---- importer unload during a fault ---------------------------------------------
 * c (sharing cluster P with a) faults a's page while its mirror is released
 * (the driver's release(): notifier removal with a fault in flight) and a
 * CPU writes the page (migrating it back: an invalidation in flight too).
 * The fault may fail once the mirror is going; it must never reach freed
 * memory or a stale page.
 */
static void unload_fault(void *arg)
{
	struct lab *l = arg;
	unsigned long v;
	int ret = hs_dmirror_read(l->mc, BASE, 1, &v, NULL);
	sim_check(ret < 0 || v == 0x5a || v == 0x5b, "device c read %#lx", v);
}

static void unload_release(void *arg)
{
	struct lab *l = arg;
	hs_dmirror_release(l->mc);
}

static void unload_cpu(void *arg)
{
	struct lab *l = arg;
	cpu_write(l, BASE, 0x5b);
}

static void unload_main(void *arg)
{
	(void)arg;
	struct lab *l = lab_new(1, false);
	lab_share_p(l);
	cpu_write(l, BASE, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(l->ma, BASE, 1) == 0, "migrate to device a");
	int t[3] = {sim_thread_spawn("importer-c", unload_fault, l),
		    sim_thread_spawn("unload-c", unload_release, l),
		    sim_thread_spawn("cpu", unload_cpu, l)};
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* ---- sanity: migration to a device against munmap, no owner change ------------- */

static void mm_migrate(void *arg)
{
	struct lab *l = arg;
	hs_dmirror_migrate_to_dev(l->ma, BASE, 2);
}

static void mm_munmap(void *arg)
{
	struct lab *l = arg;
	sim_check(hs_munmap(l->mm, BASE + HS_PAGE_SIZE, HS_PAGE_SIZE) == 0, "munmap");
}

static void mm_device(void *arg)
{
	struct lab *l = arg;
	unsigned long v;
	sim_check(hs_dmirror_read(l->ma, BASE, 1, &v, NULL) == 0 && v == 0x11, "device a read");
}

static void munmap_main(void *arg)
{
	(void)arg;
	struct lab *l = lab_new(2, false);
	cpu_write(l, BASE, 0x11);
	cpu_write(l, BASE + HS_PAGE_SIZE, 0x12);
	int t[3] = {sim_thread_spawn("migrate", mm_migrate, l),
		    sim_thread_spawn("munmap", mm_munmap, l),
		    sim_thread_spawn("device-a", mm_device, l)};
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* ---- a late device that reaches two groups --------------------------------------
 * a (cluster A) and c (cluster B) sit below one switch but their link is
 * closed both ways: two groups.  n arrives last and reaches both; it is put
 * in a's cluster (peer-group: it joins the first registered group it
 * reaches entirely, a's).  n reads a's page and c's page while a and c read
 * their own.  p2p-callback and range-callback also grant n c's memory (n
 * reaches it): one group or cluster per device cannot say that.
 */
static void late_n(void *arg)
{
	struct lab *l = arg;
	unsigned long v[2];
	int ret = hs_dmirror_read(l->mn, BASE, 2, v, NULL);
	sim_check(ret == 0, "device n read failed: %d", ret);
	sim_check(v[0] == 0x31 && v[1] == 0x32, "device n read %#lx %#lx", v[0], v[1]);
}

static void late_own(void *arg)
{
	struct lab *l = arg;
	unsigned long v;
	sim_check(hs_dmirror_read(l->mc, BASE + HS_PAGE_SIZE, 1, &v, NULL) == 0 && v == 0x32,
		  "device c read");
}

static void late_main(void *arg)
{
	(void)arg;
	struct lab *l = lab_machine(2);
	struct hs_pci_dev *pa = lab_pdev(l, 0, "a"), *pc = lab_pdev(l, 0, "c");
	l->pdev_n = lab_pdev(l, 0, "n");
	sim_check(hs_pci_link_set(pa, pc, HS_PCI_LINK_ONE_WAY) == 0, "link");
	l->a = lab_device("dmirror-a", pa, true);
	l->c = lab_device("dmirror-c", pc, true);
	l->n = lab_device("dmirror-n", l->pdev_n, true);
	l->ma = lab_open(l, l->a);
	l->mc = lab_open(l, l->c);
	l->mn = lab_open(l, l->n);
	void *ga = cluster_new(), *gb = cluster_new(), *ka = hs_owner_key(ga);
	hs_dmirror_device_set_owner(l->a, ga, ka);
	hs_dmirror_device_set_owner(l->c, gb, hs_owner_key(gb));
	hs_dmirror_device_set_owner(l->n, ga, ka);
	hs_dmirror_device_grant(l->c, l->n);
	cpu_write(l, BASE, 0x31);
	cpu_write(l, BASE + HS_PAGE_SIZE, 0x32);
	sim_check(hs_dmirror_migrate_to_dev(l->ma, BASE, 1) == 0, "migrate to device a");
	sim_check(hs_dmirror_migrate_to_dev(l->mc, BASE + HS_PAGE_SIZE, 1) == 0,
		  "migrate to device c");
	int t[2] = {sim_thread_spawn("newcomer-n", late_n, l),
		    sim_thread_spawn("device-c", late_own, l)};
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, BASE, BASE + 2 * HS_PAGE_SIZE);
}

/* ---- a group member unplugged while a device arrives ----------------------------
 * a and c share cluster P (peer-group: one group, they reach each other);
 * c's memory holds the page.  c is unplugged (HS_DMIRROR_UNPLUG_SAFE) while
 * a new device n arrives below the same switch, reaching a but not c (their
 * link is closed), opens a mirror and reads the page.  n must never use c's
 * memory directly: it cannot reach it.
 */
static void group_unplug(void *arg)
{
	struct lab *l = arg;
	int ret = hs_dmirror_device_unplug(l->c, HS_DMIRROR_UNPLUG_SAFE);
	sim_check(ret == 0, "unplug of device c failed: %d", ret);
}

static void group_newcomer(void *arg)
{
	struct lab *l = arg;
	unsigned long v;
	l->n = lab_device("dmirror-n", l->pdev_n, false);
	l->mn = lab_open(l, l->n);
	int ret = hs_dmirror_read(l->mn, BASE, 1, &v, NULL);
	sim_check(ret == 0, "device n read failed: %d", ret);
	sim_check(v == 0x5a, "device n read %#lx", v);
}

static void group_unplug_main(void *arg)
{
	(void)arg;
	struct lab *l = lab_machine(1);
	struct hs_pci_dev *pa = lab_pdev(l, 0, "a"), *pc = lab_pdev(l, 0, "c");
	l->pdev_n = lab_pdev(l, 0, "n");
	sim_check(hs_pci_link_set(l->pdev_n, pc, HS_PCI_LINK_ONE_WAY) == 0, "link");
	l->a = lab_device("dmirror-a", pa, true);
	l->c = lab_device("dmirror-c", pc, true);
	l->ma = lab_open(l, l->a);
	l->mc = lab_open(l, l->c);
	lab_share_p(l);
	cpu_write(l, BASE, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(l->mc, BASE, 1) == 0, "migrate to device c");
	int t[2] = {sim_thread_spawn("unplug-c", group_unplug, l),
		    sim_thread_spawn("newcomer-n", group_newcomer, l)};
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* ---- p2p migration against an owner change and a CPU fault ----------------------
 * a and n share cluster P; a's memory holds the page.  n migrates the page
 * to itself and reads it, while a moves to cluster Q (n loses the right to
 * a's memory) and a CPU reads the page (faulting it back to RAM).  Under
 * range-callback the migration to n also selects another owner's
 * device-private page its callback allows (the RFC's p2p migration): the
 * page may go from a's memory to n's directly, or, after the change or the
 * CPU fault, through RAM; under the other policies a migration to a device
 * selects system pages only, so the page reaches n's memory only through
 * RAM (or stays in a's, read directly or through P2P).
 */
static void p2pmig_device(void *arg)
{
	struct lab *l = arg;
	unsigned long v = 0;
	int ret = hs_dmirror_migrate_to_dev(l->mn, BASE, 1);
	sim_check(ret == 0, "migration to device n failed: %d", ret);
	ret = hs_dmirror_read(l->mn, BASE, 1, &v, NULL);
	sim_check(ret == 0 && v == 0x5a, "device n read %#lx (%d)", v, ret);
}

static void p2p_migrate_main(void *arg)
{
	(void)arg;
	struct lab *l = lab_machine(1);
	l->a = lab_device("dmirror-a", lab_pdev(l, 0, "a"), true);
	l->n = lab_device("dmirror-n", lab_pdev(l, 0, "n"), true);
	l->ma = lab_open(l, l->a);
	l->mn = lab_open(l, l->n);
	l->cluster_p = cluster_new();
	l->cluster_q = cluster_new();
	l->key_p = hs_owner_key(l->cluster_p);
	l->key_q = hs_owner_key(l->cluster_q);
	hs_dmirror_device_set_owner(l->a, l->cluster_p, l->key_p);
	hs_dmirror_device_set_owner(l->n, l->cluster_p, l->key_p);
	cpu_write(l, BASE, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(l->ma, BASE, 1) == 0, "migrate to device a");
	int t[3] = {sim_thread_spawn("device-n", p2pmig_device, l),
		    sim_thread_spawn("change", change_owner, l),
		    sim_thread_spawn("cpu", cpu_reader, l)};
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* ---- the table ------------------------------------------------------------------ */

#define OWNER_SCENARIO(n, s, f)                                                                    \
	{                                                                                          \
		n, s, f, NULL, 0, NULL                                                             \
	}
static const struct sim_scenario sc_all[] = {
    OWNER_SCENARIO("owner-change-fault", "an owner change while a device of the old cluster faults",
		   change_main),
    OWNER_SCENARIO("owner-p2p-unplug",
		   "an importer faults the exporter's page while the exporter is unplugged",
		   p2p_unplug_main),
    OWNER_SCENARIO("owner-p2p-cpu-fault",
		   "an importer faults the exporter's page while a CPU fault migrates it back",
		   p2p_cpu_main),
    OWNER_SCENARIO("owner-id-wrap",
		   "a new cluster's id is a live cluster's after the counter wraps", wrap_main),
    OWNER_SCENARIO("owner-importer-unload", "an importer's mirror is released while it faults",
		   unload_main),
    OWNER_SCENARIO("owner-migrate-munmap", "migration to a device against munmap (sanity: clean)",
		   munmap_main),
    OWNER_SCENARIO("owner-group-late", "a late device reaches two groups and reads from both",
		   late_main),
    OWNER_SCENARIO(
	"owner-group-unplug",
	"a group member is unplugged while a device that cannot reach it joins and faults",
	group_unplug_main),
    OWNER_SCENARIO(
	"owner-p2p-migrate",
	"a device migrates another's page to itself while ownership changes and a CPU faults it",
	p2p_migrate_main),
};
#define NR_SC (sizeof(sc_all) / sizeof(sc_all[0]))

static const struct sim_scenario *const scenarios[NR_SC] = {
    &sc_all[0], &sc_all[1], &sc_all[2], &sc_all[3], &sc_all[4],
    &sc_all[5], &sc_all[6], &sc_all[7], &sc_all[8],
};

/**
 * hs_owner_experiment_scenarios() - the owner experiment's scenarios.
 * @count: set to their number
 *
 * Return: the scenarios, in table order.
 */
const struct sim_scenario *const *hs_owner_experiment_scenarios(size_t *count)
{
	*count = NR_SC;
	return scenarios;
}

/* The table's rows, then ablations reachable only by name (SCENARIO@CONFIG). */
static const struct hs_owner_config configs[] = {
    {HS_OWNER_POINTER, 32, 0},
    {HS_OWNER_CLUSTER_ID, 4, 0},
    {HS_OWNER_CLUSTER_ID, 32, 0},
    {HS_OWNER_MUTABLE, 32, 0},
    {HS_OWNER_MUTABLE_MARKED, 32, 0},
    {HS_OWNER_REREGISTER, 32, 0},
    {HS_OWNER_P2P_CALLBACK, 32, 0},
    {HS_OWNER_P2P_CALLBACK, 32, HS_OWNER_F_LOCKED},
    {HS_OWNER_PEER_GROUP, 32, 0},
    {HS_OWNER_PEER_GROUP, 32, HS_OWNER_F_LEAVE_DRAINED},
    {HS_OWNER_RANGE_CALLBACK, 32, 0},
    /* ablations */
    {HS_OWNER_P2P_CALLBACK, 32, HS_OWNER_F_PLAIN},
    {HS_OWNER_P2P_CALLBACK, 32, HS_OWNER_F_NO_INVALIDATE},
    {HS_OWNER_P2P_CALLBACK, 32, HS_OWNER_F_LOCKED | HS_OWNER_F_NO_INVALIDATE},
    {HS_OWNER_RANGE_CALLBACK, 32, HS_OWNER_F_NO_INVALIDATE},
    {HS_OWNER_RANGE_CALLBACK, 32, HS_OWNER_F_NO_CACHE},
    {HS_OWNER_RANGE_CALLBACK, 32, HS_OWNER_F_PLAIN},
    {HS_OWNER_RANGE_CALLBACK, 32, HS_OWNER_F_NO_REMAP},
};
#define NR_TABLE_CONFIGS 11
#define NR_CONFIGS	 (sizeof(configs) / sizeof(configs[0]))

/**
 * hs_owner_experiment_configs() - the rows of the owner experiment's table.
 * @count: set to their number
 *
 * Return: every policy, cluster-id at 4 and 32 bits, p2p-callback also
 * locked, peer-group also leaving the registry drained, in table order.
 */
const struct hs_owner_config *hs_owner_experiment_configs(size_t *count)
{
	*count = NR_TABLE_CONFIGS;
	return configs;
}

/**
 * hs_owner_experiment_all_configs() - the table's rows, then the ablations.
 * @count: set to their number
 *
 * Return: the configurations (the ablations are reachable by name only).
 */
const struct hs_owner_config *hs_owner_experiment_all_configs(size_t *count)
{
	*count = NR_CONFIGS;
	return configs;
}

/**
 * hs_owner_config_name() - the name of a configuration.
 * @cfg: the configuration
 * @buf: where to write it
 * @len: the size of @buf
 *
 * Return: @buf: "cluster-id/4", "p2p-callback/locked", "peer-group/drained", ...
 */
const char *hs_owner_config_name(const struct hs_owner_config *cfg, char *buf, size_t len)
{
	static const struct {
		unsigned int flag;
		const char *name;
	} flags[] = {
	    {HS_OWNER_F_LOCKED, "locked"},	    {HS_OWNER_F_PLAIN, "plain"},
	    {HS_OWNER_F_NO_INVALIDATE, "no-inval"}, {HS_OWNER_F_LEAVE_DRAINED, "drained"},
	    {HS_OWNER_F_NO_CACHE, "no-cache"},	    {HS_OWNER_F_NO_REMAP, "no-remap"},
	};
	int n = snprintf(buf, len, "%s", hs_owner_policy_name(cfg->policy));
	if (cfg->policy == HS_OWNER_CLUSTER_ID && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "/%u", cfg->id_bits);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if ((cfg->flags & flags[i].flag) && n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, "/%s", flags[i].name);
	return buf;
}

/**
 * hs_owner_config_parse() - the configuration of a name.
 * @name: a name hs_owner_config_name() gives
 * @out: set to the configuration
 *
 * Return: 0 and *@out set for a name of hs_owner_experiment_all_configs(),
 * else -EINVAL.
 */
int hs_owner_config_parse(const char *name, struct hs_owner_config *out)
{
	char buf[48];
	for (size_t i = 0; i < NR_CONFIGS; i++)
		if (strcmp(hs_owner_config_name(&configs[i], buf, sizeof(buf)), name) == 0) {
			*out = configs[i];
			return 0;
		}
	return -EINVAL;
}

/* ---- SCENARIO@CONFIG: one pair as a scenario of its own ------------------------- */

struct named {
	struct sim_scenario sc;
	const struct sim_scenario *inner;
	const struct hs_owner_config *cfg;
	char name[80];
	char summary[160];
};

static struct named named[NR_SC * NR_CONFIGS];

/* @cfg (with ':') names @want, which may use ':' or '/' between parts. */
static bool config_name_eq(const char *cfg, const char *want)
{
	for (; *cfg && *want; cfg++, want++)
		if (*cfg != *want && !(*cfg == ':' && *want == '/'))
			return false;
	return !*cfg && !*want;
}

/* Every execution sets the run's policy first (they are globals, the same
 * for every execution), then runs the scenario. */
static void named_main(void *arg)
{
	struct named *n = arg;
	hs_owner_policy = n->cfg->policy;
	hs_owner_id_bits = n->cfg->id_bits;
	hs_owner_flags = n->cfg->flags;
	n->inner->main(n->inner->arg);
}

/**
 * hs_owner_experiment_find() - "SCENARIO@CONFIG": a scenario under a configuration.
 * @name: e.g. "owner-group-unplug@peer-group", "owner-id-wrap@cluster-id:4"
 *
 * Every execution of the scenario returned runs under that configuration (it
 * sets the owner globals, and leaves them set).
 *
 * Return: the scenario, or NULL when either part is unknown.
 */
const struct sim_scenario *hs_owner_experiment_find(const char *name)
{
	const char *at = strchr(name, '@');
	if (!at)
		return NULL;
	for (size_t s = 0; s < NR_SC; s++) {
		if (strlen(sc_all[s].name) != (size_t)(at - name) ||
		    strncmp(sc_all[s].name, name, (size_t)(at - name)))
			continue;
		for (size_t c = 0; c < NR_CONFIGS; c++) {
			struct named *n = &named[s * NR_CONFIGS + c];
			char cfg[48], *slash;
			hs_owner_config_name(&configs[c], cfg, sizeof(cfg));
			/* a name with '/' is a scenario file to the CLI: ':' instead */
			while ((slash = strchr(cfg, '/')))
				*slash = ':';
			if (!config_name_eq(cfg, at + 1))
				continue;
			if (!n->sc.name) {
				snprintf(n->name, sizeof(n->name), "%s@%s", sc_all[s].name, cfg);
				snprintf(n->summary, sizeof(n->summary), "%s (owner policy %s)",
					 sc_all[s].summary, cfg);
				n->inner = &sc_all[s];
				n->cfg = &configs[c];
				n->sc.name = n->name;
				n->sc.summary = n->summary;
				n->sc.main = named_main;
				n->sc.arg = n;
			}
			return &n->sc;
		}
	}
	return NULL;
}
