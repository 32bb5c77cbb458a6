// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxctl-style JSON for devices bound to kmem_hp.
 *
 * Same keys, order and number formats as daxctl's device objects, with
 * "mode":"kmem_hp" and, right after it, what daxctl shows for system-ram
 * devices plus the device's kmem_hp state:
 *   "online_memblocks", "total_memblocks", "movable" (only when some
 *   memory is online and every online block agrees), "hotplug" (the
 *   device's hotplug file). Not "state": daxctl already prints
 *   "state":"disabled" for a device without a driver, and filters such as
 *   jq's has("state") must keep meaning that.
 */
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <stdio.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "util.h"

/* daxctl's human-readable sizes (-u): bytes, or "x.yz MiB (x.yz MB)" etc. */
static int display_size(struct json_object *jobj, struct printbuf *pbuf,
			int level, int flags)
{
	unsigned long long bytes = json_object_get_int64(jobj);
	static const struct {
		unsigned long long limit;
		int shift;
		const char *iec, *jedec;
		unsigned long long si;
	} units[] = {
		{ 2ULL << 30, 20, "MiB", "MB", 1000000ULL },
		{ 2ULL << 40, 30, "GiB", "GB", 1000000000ULL },
		{ ~0ULL, 40, "TiB", "TB", 1000000000000ULL },
	};
	char buf[128];
	size_t i;

	(void)level;
	(void)flags;
	if (bytes < 5000 * 1024) {
		snprintf(buf, sizeof(buf), "%llu", bytes);
	} else {
		unsigned long long c_iec, c_si;

		for (i = 0; bytes >= units[i].limit; i++)
			;
		c_iec = (bytes * 200 / (1ULL << units[i].shift) + 1) / 2;
		c_si = (bytes / (units[i].si / 200) + 1) / 2;
		snprintf(buf, sizeof(buf), "\"%llu.%02llu %s (%llu.%02llu %s)\"",
			 c_iec / 100, c_iec % 100, units[i].iec,
			 c_si / 100, c_si % 100, units[i].jedec);
	}
	return printbuf_memappend(pbuf, buf, strlen(buf));
}

static struct json_object *json_size(unsigned long long size, bool human)
{
	struct json_object *jobj = json_object_new_int64(size);

	if (jobj && human)
		json_object_set_serializer(jobj, display_size, NULL, NULL);
	return jobj;
}

/* Add @dev's kmem_hp keys to @jdev: memory block counts and hotplug state. */
static void add_kmem_hp_keys(struct json_object *jdev, struct daxctl_dev *dev)
{
	const char *devname = daxctl_dev_get_devname(dev);
	char state[STATE_LEN];
	struct memblocks mb;

	if (!dev_memblocks(dev, &mb)) {
		json_object_object_add(jdev, "online_memblocks", json_object_new_int(mb.online));
		json_object_object_add(jdev, "total_memblocks", json_object_new_int(mb.total));
		if (mb.online && (mb.movable == mb.online || !mb.movable))
			json_object_object_add(jdev, "movable",
					       json_object_new_boolean(mb.movable == mb.online));
	}
	if (!kmem_hp_get_state(devname, state, sizeof(state)))
		json_object_object_add(jdev, "hotplug", json_object_new_string(state));
}

struct json_object *kmem_hp_dev_to_json(struct daxctl_dev *dev, bool human)
{
	struct json_object *jdev = json_object_new_object();
	unsigned long align;
	int node;

	if (!jdev)
		return NULL;
	json_object_object_add(jdev, "chardev",
			       json_object_new_string(daxctl_dev_get_devname(dev)));
	json_object_object_add(jdev, "size", json_size(daxctl_dev_get_size(dev), human));
	node = daxctl_dev_get_target_node(dev);
	if (node >= 0)
		json_object_object_add(jdev, "target_node", json_object_new_int(node));
	align = daxctl_dev_get_align(dev);
	if ((long)align > 0)
		json_object_object_add(jdev, "align", json_size(align, human));
	json_object_object_add(jdev, "mode", json_object_new_string(KMEM_HP_DRV));
	add_kmem_hp_keys(jdev, dev);
	return jdev;
}

/*
 * A copy of the device object @jdev (as the real daxctl printed it) with
 * "mode" set to "kmem_hp" and the kmem_hp keys inserted after it, every
 * other key kept in place. Returns NULL on allocation failure.
 */
struct json_object *kmem_hp_patch_json(struct json_object *jdev,
				       struct daxctl_dev *dev)
{
	struct json_object *out = json_object_new_object();
	bool done = false;

	if (!out)
		return NULL;
	json_object_object_foreach(jdev, key, val) {
		if (!strcmp(key, "online_memblocks") || !strcmp(key, "total_memblocks") ||
		    !strcmp(key, "movable") || !strcmp(key, "hotplug"))
			continue;	/* re-added below, from kmem_hp */
		if (!strcmp(key, "mode")) {
			json_object_object_add(out, "mode", json_object_new_string(KMEM_HP_DRV));
			add_kmem_hp_keys(out, dev);
			done = true;
			continue;
		}
		json_object_object_add(out, key, json_object_get(val));
	}
	if (!done) {
		json_object_object_add(out, "mode", json_object_new_string(KMEM_HP_DRV));
		add_kmem_hp_keys(out, dev);
	}
	return out;
}

/* Print and free @jdevs the way daxctl does: an array, or with -u one object. */
void print_json_devs(struct json_object *jdevs, bool human)
{
	size_t len = json_object_array_length(jdevs);
	int jflag = JSON_C_TO_STRING_PRETTY;

	if (len > 1 || !human)
		printf("%s\n", json_object_to_json_string_ext(jdevs, jflag));
	else if (len)
		printf("%s\n", json_object_to_json_string_ext(
			       json_object_array_get_idx(jdevs, 0), jflag));
	json_object_put(jdevs);
}
