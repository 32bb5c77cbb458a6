/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmem_hp's daxctl front end: shared declarations.
 *
 * The front end handles the daxctl invocations that involve the kmem_hp
 * driver (reconfigure-device -m kmem_hp, and reconfigure-device,
 * online-memory, offline-memory, disable-device and list on devices bound
 * to kmem_hp) and hands every other invocation to the real daxctl.
 */
#ifndef KMEM_HP_DAXCTL_H
#define KMEM_HP_DAXCTL_H

#include <stdbool.h>
#include <stddef.h>

struct daxctl_ctx;
struct daxctl_dev;
struct json_object;

#define KMEM_HP_DRV	"kmem_hp"
#define KMEM_DRV	"kmem"
#define DEVDAX_DRV	"device_dax"
#define DAX_DEVICES	"/sys/bus/dax/devices"
#define DAX_DRIVERS	"/sys/bus/dax/drivers"
#define MEMORY_SYSFS	"/sys/devices/system/memory"
#define KMEM_HP_PARAMS	"/sys/module/kmem_hp/parameters"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit status of a command-line usage error, as daxctl's parse-options. */
#define EXIT_USAGE	129

/* Longest hotplug state name plus newline and NUL. */
#define STATE_LEN	32
/* Longest driver name we care about plus NUL. */
#define DRV_LEN		64

/* main.c */
extern bool verbose_on;
__printf(2, 3) void dev_err(const char *dev, const char *fmt, ...);
__printf(2, 3) void verbose(const char *dev, const char *fmt, ...);
bool interrupted(void);

/* options.c: the daxctl subcommands the front end may handle. */
enum command {
	CMD_OTHER,
	CMD_RECONFIGURE,
	CMD_ONLINE,
	CMD_OFFLINE,
	CMD_DISABLE,
	CMD_LIST,
};

struct opts {
	enum command cmd;
	const char *mode;	/* -m/--mode, NULL if not given */
	const char *region;	/* -r/--region filter, NULL if not given */
	bool stock_only;	/* -s/-a/--input/-C: only the real daxctl does these */
	bool no_online;
	bool no_movable;
	bool force;
	bool human;
	bool verbose;
	bool save;		/* --save: record the state in devices.conf */
	bool apply_config;	/* --apply-config: devices.conf's state */
	const char *state;	/* kmem_hp state to reach, NULL: from the flags */
	int nr_devs;
	char **devs;		/* non-option arguments (device names or "all") */
	char error[160];	/* why parse_opts() failed */
};

enum command parse_command(const char *name);
int parse_opts(int argc, char **argv, struct opts *o);

/* real_daxctl.c */
const char *real_daxctl_path(void);
__noreturn void exec_real_daxctl(char **argv);
int run_real_daxctl(char **argv, char **out, size_t *out_len, bool quiet);

/* sysfs.c */
int sysfs_read(const char *path, char *buf, size_t len);
int sysfs_write(const char *path, const char *val);
bool sysfs_exists(const char *path);

/* dax_bind.c */
int dax_driver(const char *dev, char *drv, size_t len);
bool dax_on_driver(const char *dev, const char *drv);
int dax_bind(const char *dev, const char *drv);
int dax_release(const char *dev, const char *drv);
int kmem_hp_get_state(const char *dev, char *state, size_t len);
int kmem_hp_set_state(const char *dev, const char *state);
bool kmem_hp_has_devices(void);

/* modules.c */
#define LOAD_BLACKLISTED	1
int load_module(const char *name);
const char *load_error(int rc);

/* memblocks.c: the memory blocks a kmem-style driver added for a device. */
struct memblocks {
	int total;	/* blocks present */
	int online;	/* blocks online */
	int movable;	/* online blocks in ZONE_MOVABLE */
};

int dev_memblocks(struct daxctl_dev *dev, struct memblocks *mb);
int memblocks_offline_all(struct daxctl_dev *dev);

/* json_dev.c */
struct json_object *kmem_hp_dev_to_json(struct daxctl_dev *dev, bool human);
struct json_object *kmem_hp_patch_json(struct json_object *jdev,
				       struct daxctl_dev *dev);
void print_json_devs(struct json_object *jdevs, bool human);

/* list.c: device lookup and daxctl's device filters */
struct daxctl_dev *find_dev(struct daxctl_ctx *ctx, const char *name);
int select_devs(struct daxctl_ctx *ctx, const struct opts *o,
		struct daxctl_dev ***devs, const char **unmatched);
int cmd_list(int argc, char **argv, struct daxctl_ctx *ctx);

/* kmem_hp_bind.c */
int bind_kmem_hp(const char *dev, const char *target);

/* reconfigure.c */
int to_kmem_hp(struct daxctl_dev *dev, const struct opts *o);
const char *target_state(const struct opts *o);
int cmd_reconfigure(char **argv, const struct opts *o, struct daxctl_ctx *ctx);

/* persist.c: states that survive a reboot */
#ifndef KMEM_HP_CONF_DIR
#define KMEM_HP_CONF_DIR	"/etc/kmem_hp"
#endif
#define KMEM_HP_DEVICES_CONF	KMEM_HP_CONF_DIR "/devices.conf"
int apply_config(struct daxctl_dev *dev, const struct opts *o);
int save_config(const char *dev, const char *state);

/* memory.c: online-memory, offline-memory, disable-device */
int cmd_memory(char **argv, const struct opts *o, struct daxctl_ctx *ctx);

#endif /* KMEM_HP_DAXCTL_H */
