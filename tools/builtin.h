/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daxctl commands the front end handles when kmem_hp is involved,
 * one file each under cmd/. A command returns 0, the negative errno of
 * the last device that failed (the exit status is its low byte, as
 * daxctl's), EXIT_USAGE, or the real daxctl's exit status; when kmem_hp
 * is not involved it executes the real daxctl instead of returning.
 */
#ifndef KMEM_HP_BUILTIN_H
#define KMEM_HP_BUILTIN_H

struct daxctl_ctx;

struct cmd_struct {
	const char *cmd;
	int (*fn)(int argc, char **argv, struct daxctl_ctx *ctx);
};

int cmd_list(int argc, char **argv, struct daxctl_ctx *ctx);
int cmd_reconfig_device(int argc, char **argv, struct daxctl_ctx *ctx);
int cmd_online_memory(int argc, char **argv, struct daxctl_ctx *ctx);
int cmd_offline_memory(int argc, char **argv, struct daxctl_ctx *ctx);
int cmd_disable_device(int argc, char **argv, struct daxctl_ctx *ctx);
int cmd_destroy_device(int argc, char **argv, struct daxctl_ctx *ctx);

#endif /* KMEM_HP_BUILTIN_H */
