/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the front end's commands share: option parsing and usage, daxctl's
 * device filters, daxctl-style JSON, running the real daxctl, and how
 * messages are printed and signals noted.
 */
#ifndef KMEM_HP_UTIL_H
#define KMEM_HP_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "../lib/libkmem_hp.h"

struct daxctl_ctx;
struct daxctl_dev;
struct json_object;

/* Exit status of a command-line usage error, as daxctl's parse-options. */
#define EXIT_USAGE	129

/* log.c */
void log_init(bool verbose);
bool interrupted(void);
void catch_signals(void);
void block_signals(sigset_t *old);
void restore_signals(const sigset_t *old);
void default_signals(void);

/* options.c: the daxctl subcommands the front end may handle. */
enum command {
	CMD_OTHER,
	CMD_RECONFIGURE,
	CMD_ONLINE,
	CMD_OFFLINE,
	CMD_DISABLE,
	CMD_DESTROY,
	CMD_LIST,
};

struct opts {
	enum command cmd;
	const char *mode;	/* -m/--mode, NULL if not given */
	const char *region;	/* -r/--region filter, NULL if not given */
	bool stock_only;	/* -s/-a/--input/-C: only the real daxctl does these */
	bool help;		/* -h */
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
bool owns_opts(const struct opts *o);
int show_usage(const struct opts *o);

/* filter.c: device lookup and daxctl's device filters. */
struct daxctl_dev *find_dev(struct daxctl_ctx *ctx, const char *name);
int select_devs(struct daxctl_ctx *ctx, const struct opts *o,
		struct daxctl_dev ***devs, const char **unmatched);

/* json.c */
struct json_object *kmem_hp_dev_to_json(struct daxctl_dev *dev, bool human);
struct json_object *kmem_hp_patch_json(struct json_object *jdev,
				       struct daxctl_dev *dev);
void print_json_devs(struct json_object *jdevs, bool human);

/* real_daxctl.c */
const char *real_daxctl_path(void);
__noreturn void exec_real_daxctl(char **argv);
int run_real_daxctl(char **argv, char **out, size_t *out_len, bool quiet);

/* xaction.c: the per-device loop of the memory and device commands. */
struct xaction {
	const char *done;	/* closing line: "<done> N devices" */
	const char *error;	/* on failure, first: "<error>: <cause>" */
	bool only_memory;	/* "all" leaves devices without memory alone */
	int (*kmem_hp)(struct daxctl_dev *dev, const struct opts *o, char **argv);
};

int do_xaction(char **argv, const struct opts *o, struct daxctl_ctx *ctx,
	       const struct xaction *x);
int cmd_xaction(int argc, char **argv, struct daxctl_ctx *ctx, const struct xaction *x);
void print_summary(const char *done, const char *error, int rc, int processed);
int kmem_hp_change(const char *name, const char *state);
int real_one(char **argv, const struct opts *o, const char *name);
int parse_cmd_opts(int argc, char **argv, struct opts *o);

#endif /* KMEM_HP_UTIL_H */
