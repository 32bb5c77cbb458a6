/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The front end's library layer: dax bus bindings, kmem_hp's sysfs files,
 * memory blocks, module loading and devices.conf.
 *
 * Every function returns 0 (or a count) or a negative errno and prints
 * nothing: what it has to say goes through the log callback the program
 * installs with kh_set_log_fn(). libdaxctl is used for what it does
 * (device lookup, daxctl_dev_is_enabled(), daxctl_dev_disable(), the
 * enable helpers of device_dax and kmem); what is written here by hand is
 * what kmem_hp needs and libdaxctl cannot do, each file says what.
 */
#ifndef LIBKMEM_HP_H
#define LIBKMEM_HP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct daxctl_ctx;
struct daxctl_dev;

#define KMEM_HP_DRV	"kmem_hp"
#define KMEM_DRV	"kmem"
#define DEVDAX_DRV	"device_dax"
#define DAX_DEVICES	"/sys/bus/dax/devices"
#define DAX_DRIVERS	"/sys/bus/dax/drivers"
#define MEMORY_SYSFS	"/sys/devices/system/memory"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Longest hotplug state name plus newline and NUL. */
#define STATE_LEN	32
/* Longest driver name we care about plus NUL. */
#define DRV_LEN		64

/* log.c: where the library's messages go. */
enum kh_log_prio {
	KH_LOG_ERR,	/* something failed: always shown */
	KH_LOG_INFO,	/* something was done that the user should see */
	KH_LOG_DEBUG,	/* progress, shown with -v */
};

typedef void (*kh_log_fn)(enum kh_log_prio prio, const char *dev,
			  const char *fmt, va_list ap);
void kh_set_log_fn(kh_log_fn fn);
__printf(3, 4) void kh_log(enum kh_log_prio prio, const char *dev,
			   const char *fmt, ...);
#define kh_err(dev, ...)	kh_log(KH_LOG_ERR, dev, __VA_ARGS__)
#define kh_info(dev, ...)	kh_log(KH_LOG_INFO, dev, __VA_ARGS__)
#define kh_dbg(dev, ...)	kh_log(KH_LOG_DEBUG, dev, __VA_ARGS__)
/* libdaxctl's own messages, through the same callback (debug level). */
void kh_route_daxctl_log(struct daxctl_ctx *ctx);
void kh_dbg_line(const char *who, const char *format, va_list args);

/* sysfs.c */
int sysfs_read(const char *path, char *buf, size_t len);
int sysfs_write(const char *path, const char *val);
bool sysfs_exists(const char *path);

/* dax.c: which driver a device is bound to, binding and releasing. */
int dax_driver(const char *dev, char *drv, size_t len);
bool dax_on_driver(const char *dev, const char *drv);
int dax_bind(const char *dev, const char *drv);
int dax_release(struct daxctl_dev *dev, const char *drv);
int dax_restore(struct daxctl_dev *dev, const char *drv);

/* state.c: kmem_hp's hotplug and bind_state files. */
int kmem_hp_get_state(const char *dev, char *state, size_t len);
int kmem_hp_set_state(const char *dev, const char *state);
int kmem_hp_bind(const char *dev, const char *state);
bool kmem_hp_has_devices(void);

/* module.c */
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

/* config.c: kmem_hp states that survive a reboot. */
#ifndef KMEM_HP_CONF_DIR
#define KMEM_HP_CONF_DIR	"/etc/kmem_hp"
#endif
#define KMEM_HP_DEVICES_CONF	KMEM_HP_CONF_DIR "/devices.conf"
int config_state(const char *dev, char *state, char *where, size_t wlen);
int config_save(const char *dev, const char *state);

#endif /* LIBKMEM_HP_H */
