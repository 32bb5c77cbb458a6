// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command-line parsing for the subcommands the front end may handle,
 * accepting what daxctl's parse-options accepts for them: short options
 * bundled or with attached values (-Nf, -mkmem_hp), long options with "="
 * or a separate value and unique abbreviations (--mode=kmem_hp, --no-mov),
 * options and device names in any order, and "--".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmem_hp_daxctl.h"

static const struct {
	const char *name;
	enum command cmd;
} commands[] = {
	{ "reconfigure-device", CMD_RECONFIGURE },
	{ "online-memory", CMD_ONLINE },
	{ "offline-memory", CMD_OFFLINE },
	{ "disable-device", CMD_DISABLE },
	{ "list", CMD_LIST },
};

enum command parse_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].cmd;
	return CMD_OTHER;
}

enum {
	OPT_INPUT = 256,
	OPT_NO_MOVABLE,
	OPT_SAVE,
	OPT_APPLY_CONFIG,
};

/*
 * Every option of the handled subcommands; check_opt() says which ones a
 * subcommand takes.
 */
static const struct option long_opts[] = {
	{ "region", required_argument, NULL, 'r' },
	{ "human", no_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "size", required_argument, NULL, 's' },
	{ "align", required_argument, NULL, 'a' },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "mode", required_argument, NULL, 'm' },
	{ "no-online", no_argument, NULL, 'N' },
	{ "force", no_argument, NULL, 'f' },
	{ "check-config", no_argument, NULL, 'C' },
	{ "no-movable", no_argument, NULL, OPT_NO_MOVABLE },
	/* The front end's own (kmem_hp persistence, see persist.c). */
	{ "save", no_argument, NULL, OPT_SAVE },
	{ "apply-config", no_argument, NULL, OPT_APPLY_CONFIG },
	{ NULL, 0, NULL, 0 },
};

/* Does subcommand @cmd take option @c (a short option or OPT_*)? */
static bool check_opt(enum command cmd, int c)
{
	switch (c) {
	case 'r':
	case 'u':
	case 'v':
		return true;
	case OPT_NO_MOVABLE:
		return cmd == CMD_RECONFIGURE || cmd == CMD_ONLINE;
	default:
		return cmd == CMD_RECONFIGURE;
	}
}

/*
 * Parse argv[2..] of subcommand argv[1] into @o. argv itself is left as it
 * was (it may still be handed to the real daxctl). Returns 0, or -EINVAL
 * on anything daxctl would reject or the front end does not understand,
 * with @o->error saying what; @o->cmd and @o->mode are filled in as far
 * as parsing got.
 */
int parse_opts(int argc, char **argv, struct opts *o)
{
	char **args;
	int c, rc = 0;

	memset(o, 0, sizeof(*o));
	o->cmd = parse_command(argv[1]);
	o->devs = calloc(argc, sizeof(*o->devs));
	args = calloc(argc + 1, sizeof(*args));
	if (!o->devs || !args) {
		free(args);
		return -ENOMEM;
	}
	memcpy(args, argv + 1, (argc - 1) * sizeof(*args));

	opterr = 0;
	optind = 1;
	/* "-": non-options come back in order as 1, whatever POSIXLY_CORRECT says. */
	while ((c = getopt_long(argc - 1, args, "-r:uvs:a:m:NfC", long_opts, NULL)) != -1) {
		if (c != 1 && c != '?' && !check_opt(o->cmd, c))
			c = '?';
		switch (c) {
		case 1:
			o->devs[o->nr_devs++] = basename(optarg);
			break;
		case 'r':
			o->region = optarg;
			break;
		case 'u':
			o->human = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 's':
		case 'a':
		case 'C':
		case OPT_INPUT:
			o->stock_only = true;
			break;
		case 'm':
			o->mode = optarg;
			break;
		case 'N':
			o->no_online = true;
			break;
		case 'f':
			o->force = true;
			break;
		case OPT_NO_MOVABLE:
			o->no_movable = true;
			break;
		case OPT_SAVE:
			o->save = true;
			break;
		case OPT_APPLY_CONFIG:
			o->apply_config = true;
			break;
		default:
			snprintf(o->error, sizeof(o->error),
				 "unknown or malformed option '%s'", args[optind - 1]);
			rc = -EINVAL;
			break;
		}
	}
	/* Whatever follows "--" is a device name. */
	for (; optind < argc - 1; optind++)
		o->devs[o->nr_devs++] = basename(args[optind]);
	free(args);

	if (!rc && o->cmd != CMD_LIST && !o->nr_devs) {
		snprintf(o->error, sizeof(o->error), "specify a device, or \"all\"");
		rc = -EINVAL;
	}
	if (!rc && o->save && (!o->mode || strcmp(o->mode, KMEM_HP_DRV))) {
		snprintf(o->error, sizeof(o->error), "--save goes with -m kmem_hp");
		rc = -EINVAL;
	}
	if (!rc && o->apply_config && (o->mode || o->stock_only)) {
		snprintf(o->error, sizeof(o->error), "--apply-config takes no -m and no -C");
		rc = -EINVAL;
	}
	return rc;
}
