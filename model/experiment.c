// SPDX-License-Identifier: MIT
/*
 * The owner experiment's scenarios (include/hmmsim/experiment.h): each one
 * is run under every implemented owner policy by `hmmsim experiment owner`.
 * Devices belong to interconnect clusters (hs_dmirror_device_set_owner());
 * the wrong-owner oracle in the driver knows which cluster may really use
 * which memory, whatever the keys the model compares say.
 */
#include <errno.h>
#include <hmmsim/dmirror.h>
#include <hmmsim/experiment.h>
#include <hmmsim/mm.h>
#include <hmmsim/owner.h>

#define VA 0x100000ul
#define PG HS_PAGE_SIZE

struct lab {
	struct hs_mm *mm;
	struct hs_dmirror_device *a, *c;
	struct hs_dmirror *ma, *mc;
	void *cluster_p, *cluster_q;
	void *key_p, *key_q;
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

/* Two devices, a (its memory holds the data) and c, with mirrors of one mm. */
static struct lab *lab_new(unsigned long npages)
{
	struct lab *l = sim_alloc(sizeof(*l));
	hs_machine_init(32, 16);
	l->mm = hs_mm_alloc("proc", 1ul << 22, 8);
	sim_check(hs_mmap(l->mm, VA, npages * PG, HS_VM_READ | HS_VM_WRITE) == 0, "mmap");
	l->a = hs_dmirror_device_create("dmirror-a", 2);
	l->c = hs_dmirror_device_create("dmirror-c", 2);
	l->ma = hs_dmirror_open(l->a, l->mm);
	l->mc = hs_dmirror_open(l->c, l->mm);
	return l;
}

/* ---- an owner change while another device of the old cluster faults ----------
 * a and c share cluster P; a's memory holds the page.  c reads it twice
 * (directly: same owner) while a moves to cluster Q.  After the change c
 * must no longer reach a's memory: its second read must go through host
 * memory.  Pointer and cluster-id refuse the change.
 */
static void change_device(void *arg)
{
	struct lab *l = arg;
	unsigned long v;
	for (int i = 0; i < 2; i++) {
		sim_check(hs_dmirror_read(l->mc, VA, 1, &v, NULL) == 0, "device c read failed");
		sim_check(v == 0x5a, "device c read %#lx", v);
	}
}

static void change_owner(void *arg)
{
	struct lab *l = arg;
	int ret = hs_dmirror_device_change_owner(l->a, l->cluster_q, l->key_q);
	sim_check(ret == 0 || ret == -EOPNOTSUPP, "owner change failed: %d", ret);
}

static void change_main(void *arg)
{
	struct lab *l = lab_new(1);
	l->cluster_p = cluster_new();
	l->cluster_q = cluster_new();
	l->key_p = hs_owner_key(l->cluster_p);
	l->key_q = hs_owner_key(l->cluster_q);
	hs_dmirror_device_set_owner(l->a, l->cluster_p, l->key_p);
	hs_dmirror_device_set_owner(l->c, l->cluster_p, l->key_p);
	cpu_write(l, VA, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(l->ma, VA, 1) == 0, "migrate to device a");
	int t[2] = {sim_thread_spawn("device-c", change_device, l),
		    sim_thread_spawn("change", change_owner, l)};
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, VA, VA + PG);
}

/* ---- cluster ids wrap around ----------------------------------------------------
 * c's cluster X is registered first; then 15 clusters come and go; then a's
 * new cluster Y.  With 4-bit ids Y gets X's id: c reaches a's memory
 * directly, though the two share no interconnect.
 */
static void wrap_device(void *arg)
{
	struct lab *l = arg;
	unsigned long v;
	sim_check(hs_dmirror_read(l->mc, VA, 1, &v, NULL) == 0, "device c read failed");
	sim_check(v == 0x77, "device c read %#lx", v);
}

static void wrap_cpu(void *arg)
{
	struct lab *l = arg;
	unsigned long v = 0;
	sim_check(hs_cpu_read(l->mm, VA + PG, &v) == 0 && v == 0x78, "CPU read");
}

static void wrap_main(void *arg)
{
	struct lab *l = lab_new(2);
	void *x = cluster_new(), *y = cluster_new();
	void *key_x = hs_owner_key(x);
	hs_dmirror_device_set_owner(l->c, x, key_x);
	for (int i = 0; i < 15; i++)
		(void)hs_owner_key(cluster_new()); /* clusters that came and went */
	hs_dmirror_device_set_owner(l->a, y, hs_owner_key(y));
	cpu_write(l, VA, 0x77);
	cpu_write(l, VA + PG, 0x78);
	sim_check(hs_dmirror_migrate_to_dev(l->ma, VA, 2) == 0, "migrate to device a");
	int t[2] = {sim_thread_spawn("device-c", wrap_device, l),
		    sim_thread_spawn("cpu", wrap_cpu, l)};
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, VA, VA + 2 * PG);
}

/* ---- sanity: migration to a device against munmap, no owner change ------------- */

static void mm_migrate(void *arg)
{
	struct lab *l = arg;
	hs_dmirror_migrate_to_dev(l->ma, VA, 2);
}

static void mm_munmap(void *arg)
{
	struct lab *l = arg;
	sim_check(hs_munmap(l->mm, VA + PG, PG) == 0, "munmap");
}

static void mm_device(void *arg)
{
	struct lab *l = arg;
	unsigned long v;
	sim_check(hs_dmirror_read(l->ma, VA, 1, &v, NULL) == 0 && v == 0x11, "device a read");
}

static void munmap_main(void *arg)
{
	struct lab *l = lab_new(2);
	cpu_write(l, VA, 0x11);
	cpu_write(l, VA + PG, 0x12);
	int t[3] = {sim_thread_spawn("migrate", mm_migrate, l),
		    sim_thread_spawn("munmap", mm_munmap, l),
		    sim_thread_spawn("device-a", mm_device, l)};
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(l->mm, VA, VA + PG);
}

static const struct sim_scenario sc_change = {
    "owner-change-fault",
    "an owner change while a device of the old cluster faults",
    change_main,
    NULL,
    0,
    NULL};
static const struct sim_scenario sc_wrap = {
    "owner-id-wrap",
    "a new cluster's id is a live cluster's after the counter wraps",
    wrap_main,
    NULL,
    0,
    NULL};
static const struct sim_scenario sc_munmap = {
    "owner-migrate-munmap",
    "migration to a device against munmap (sanity: clean)",
    munmap_main,
    NULL,
    0,
    NULL};

static const struct sim_scenario *const scenarios[] = {&sc_change, &sc_wrap, &sc_munmap};

const struct sim_scenario *const *hs_owner_experiment_scenarios(size_t *count)
{
	*count = sizeof(scenarios) / sizeof(scenarios[0]);
	return scenarios;
}

static const struct hs_owner_config configs[] = {
    {HS_OWNER_POINTER, 32}, {HS_OWNER_CLUSTER_ID, 4},	   {HS_OWNER_CLUSTER_ID, 32},
    {HS_OWNER_MUTABLE, 32}, {HS_OWNER_MUTABLE_MARKED, 32}, {HS_OWNER_REREGISTER, 32},
};

const struct hs_owner_config *hs_owner_experiment_configs(size_t *count)
{
	*count = sizeof(configs) / sizeof(configs[0]);
	return configs;
}
