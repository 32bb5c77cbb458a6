// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command-line parsing for the subcommands the front end may handle,
 * accepting what daxctl's parse-options accepts for them: short options
 * bundled or with attached values (-Nf, -mkmem_hp), long options with "="
 * or a separate value and unique abbreviations (--mode=kmem_hp, --no-mov),
 * the negations of boolean options (--no-force, --online for --no-online),
 * options and device names in any order, "--", and -h for the usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *name;
	enum command cmd;
	const char *usage;
} commands[] = {
	{ "reconfigure-device", CMD_RECONFIGURE,
	  "daxctl reconfigure-device <device> [<options>]" },
	{ "online-memory", CMD_ONLINE, "daxctl online-memory <device> [<options>]" },
	{ "offline-memory", CMD_OFFLINE, "daxctl offline-memory <device> [<options>]" },
	{ "disable-device", CMD_DISABLE, "daxctl disable-device <device>" },
	{ "destroy-device", CMD_DESTROY, "daxctl destroy-device <device> [<options>]" },
	{ "list", CMD_LIST, "daxctl list [<options>]" },
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
	/* negations */
	OPT_NO_HUMAN,
	OPT_NO_VERBOSE,
	OPT_ONLINE,
	OPT_NO_FORCE,
	OPT_NO_CHECK_CONFIG,
	OPT_MOVABLE,
	OPT_NO_SAVE,
};

/*
 * Every option of the handled subcommands; check_opt() says which ones a
 * subcommand takes.
 */
static const struct option long_opts[] = {
	{ "region", required_argument, NULL, 'r' },
	{ "human", no_argument, NULL, 'u' },
	{ "no-human", no_argument, NULL, OPT_NO_HUMAN },
	{ "verbose", no_argument, NULL, 'v' },
	{ "no-verbose", no_argument, NULL, OPT_NO_VERBOSE },
	{ "size", required_argument, NULL, 's' },
	{ "align", required_argument, NULL, 'a' },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "mode", required_argument, NULL, 'm' },
	{ "no-online", no_argument, NULL, 'N' },
	{ "online", no_argument, NULL, OPT_ONLINE },
	{ "force", no_argument, NULL, 'f' },
	{ "no-force", no_argument, NULL, OPT_NO_FORCE },
	{ "check-config", no_argument, NULL, 'C' },
	{ "no-check-config", no_argument, NULL, OPT_NO_CHECK_CONFIG },
	{ "no-movable", no_argument, NULL, OPT_NO_MOVABLE },
	{ "movable", no_argument, NULL, OPT_MOVABLE },
	/* The front end's own (kmem_hp persistence, lib/config.c). */
	{ "save", no_argument, NULL, OPT_SAVE },
	{ "no-save", no_argument, NULL, OPT_NO_SAVE },
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
	case 'h':
	case OPT_NO_HUMAN:
	case OPT_NO_VERBOSE:
		return true;
	case 'f':
	case OPT_NO_FORCE:
		return cmd == CMD_RECONFIGURE || cmd == CMD_DESTROY;
	case OPT_NO_MOVABLE:
	case OPT_MOVABLE:
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
 * as parsing got. -h sets @o->help and stops.
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
	while (!o->help &&
	       (c = getopt_long(argc - 1, args, "-r:uvs:a:m:NfCh", long_opts, NULL)) != -1) {
		if (c != 1 && c != '?' && !check_opt(o->cmd, c))
			c = '?';
		switch (c) {
		case 1:
			o->devs[o->nr_devs++] = basename(optarg);
			break;
		case 'h':
			o->help = true;
			break;
		case 'r':
			o->region = optarg;
			break;
		case 'u':
		case OPT_NO_HUMAN:
			o->human = c == 'u';
			break;
		case 'v':
		case OPT_NO_VERBOSE:
			o->verbose = c == 'v';
			break;
		case 's':
		case 'a':
		case 'C':
		case OPT_INPUT:
			o->stock_only = true;
			break;
		case OPT_NO_CHECK_CONFIG:
			break;
		case 'm':
			o->mode = optarg;
			break;
		case 'N':
		case OPT_ONLINE:
			o->no_online = c == 'N';
			break;
		case 'f':
		case OPT_NO_FORCE:
			o->force = c == 'f';
			break;
		case OPT_NO_MOVABLE:
		case OPT_MOVABLE:
			o->no_movable = c == OPT_NO_MOVABLE;
			break;
		case OPT_SAVE:
		case OPT_NO_SAVE:
			o->save = c == OPT_SAVE;
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
	for (; !o->help && optind < argc - 1; optind++)
		o->devs[o->nr_devs++] = basename(args[optind]);
	free(args);
	if (o->help)
		return 0;

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

/*
 * Is a command line that failed to parse the front end's to reject? Only
 * -m kmem_hp and the front end's own options are; daxctl knows the rest.
 */
bool owns_opts(const struct opts *o)
{
	return o->cmd == CMD_RECONFIGURE &&
	       ((o->mode && !strcmp(o->mode, KMEM_HP_DRV)) || o->save || o->apply_config);
}

static const char *const reconfig_help[] = {
	"-r, --region <region-id>", "filter by region",
	"-u, --human", "use human friendly number formats",
	"-v, --verbose", "emit more debug messages",
	"-s, --size <size>", "size to switch the device to (real daxctl)",
	"-a, --align <align>", "alignment to switch the device to (real daxctl)",
	"    --input <input>", "input device JSON file (real daxctl)",
	"-m, --mode <mode>", "devdax, system-ram or kmem_hp",
	"-N, --no-online", "kmem_hp: bind with the memory offline",
	"-f, --force", "take devices whose memory is online",
	"-C, --check-config", "daxctl.conf's parameters (real daxctl)",
	"    --no-movable", "online memory in a kernel zone (online_kernel)",
	"    --save", "kmem_hp: keep the state across reboots (devices.conf)",
	"    --apply-config", "kmem_hp: the state devices.conf gives the device",
	NULL,
};

static const char *const base_help[] = {
	"-r, --region <region-id>", "filter by region",
	"-u, --human", "use human friendly number formats",
	"-v, --verbose", "emit more debug messages",
	NULL,
};

/*
 * -h, as daxctl: the usage on stderr, exit status 129. Devices bound to
 * kmem_hp are handled whole (all or nothing) by the front end.
 */
int show_usage(const struct opts *o)
{
	const char *const *h = o->cmd == CMD_RECONFIGURE ? reconfig_help : base_help;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].cmd == o->cmd)
			fprintf(stderr, "\n usage: %s\n\n", commands[i].usage);
	for (; *h; h += 2)
		fprintf(stderr, "    %-28s%s\n", h[0], h[1]);
	if (o->cmd == CMD_ONLINE)
		fprintf(stderr, "    %-28s%s\n", "--no-movable",
			"online memory in a kernel zone (online_kernel)");
	if (o->cmd == CMD_DESTROY)
		fprintf(stderr, "    %-28s%s\n", "-f, --force",
			"disable (kmem_hp: unplug, then unbind) before destroying");
	fprintf(stderr, "\n kmem_hp devices change all or nothing; see kmem_hp's README.\n\n");
	return EXIT_USAGE;
}

/*
 * parse_opts() for a command, and what follows from it: a command line
 * the front end does not own goes to the real daxctl as it is; one it
 * owns and rejects, or -h, gives the exit status (returned, > 0); else
 * messages and signals are set up and 0 is returned.
 */
int parse_cmd_opts(int argc, char **argv, struct opts *o)
{
	int rc = parse_opts(argc, argv, o);

	if (rc == -ENOMEM) {
		fprintf(stderr, "daxctl: %s: %s\n", argv[1], strerror(ENOMEM));
		return 1;
	}
	if (rc < 0) {
		if (!owns_opts(o))
			exec_real_daxctl(argv);
		fprintf(stderr, "daxctl: %s: %s\n", argv[1], o->error);
		return EXIT_USAGE;
	}
	if (o->help)
		return show_usage(o);
	log_init(o->verbose);
	catch_signals();
	return 0;
}
