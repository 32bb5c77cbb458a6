// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp states that survive a reboot: /etc/kmem_hp/devices.conf.
 *
 * daxX.Y names follow probe order, so the file names devices by what
 * stays the same from boot to boot:
 *
 *   uuid=UUID     the NVDIMM namespace a pmem devdax device lives on
 *   range=START   the physical address the device's memory starts at
 *                 (soft-reserved "hmem" memory, a CXL region's window)
 *   node=N        any device whose target node is N
 *
 * each followed by the state the device must be in: offline, online,
 * online_kernel, online_movable or unplugged. '#' starts a comment. The
 * first line that matches a device applies. A line that cannot be parsed
 * is reported and skipped: a wrong entry never moves a device.
 *
 * "reconfigure-device -m kmem_hp --save" writes the device's line (uuid=
 * where there is a namespace, range= otherwise), replacing a line with the
 * same identity. "reconfigure-device --apply-config daxX.Y", run at boot
 * for every dax device by udev (91-kmem_hp.rules starts
 * kmem_hp-config@daxX.Y.service), puts a configured device in its state:
 * bound to kmem_hp if it is not, with its old driver kept if that fails.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkmem_hp.h"

static const char * const conf_states[] = {
	"offline", "online", "online_kernel", "online_movable", "unplugged",
};

/* A device's identities, as they appear in the file. */
struct identity {
	char uuid[80];		/* "uuid=..." or "" without a namespace */
	char range[32];		/* "range=0x..." */
	char node[40];		/* "node=N" */
};

static void trim(char *s)
{
	char *e = s + strlen(s);

	while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
}

/*
 * The uuid `ndctl list` shows for the namespace of pmem device @dev, or ""
 * if it has none: the namespace's own (label) uuid where it has one, else
 * the one of the devdax info block on the media (label-less namespaces).
 */
static void namespace_uuid(const char *dev, char *buf, size_t len)
{
	char path[2 * PATH_MAX], real[PATH_MAX], ns[NAME_MAX], uuid[64];

	buf[0] = '\0';
	snprintf(path, sizeof(path), DAX_DEVICES "/%s", dev);
	if (!realpath(path, real))
		return;
	/* .../regionX/daxX.Y (the nd_dax device)/daxX.Y: its namespace. */
	snprintf(path, sizeof(path), "%s/../namespace", real);
	if (sysfs_read(path, ns, sizeof(ns)) || !ns[0])
		return;
	snprintf(path, sizeof(path), "/sys/bus/nd/devices/%s/uuid", ns);
	if (sysfs_read(path, uuid, sizeof(uuid)) || !uuid[0]) {
		snprintf(path, sizeof(path), "%s/../uuid", real);
		if (sysfs_read(path, uuid, sizeof(uuid)) || !uuid[0])
			return;
	}
	snprintf(buf, len, "uuid=%s", uuid);
}

static int device_identity(const char *dev, struct identity *id)
{
	char path[PATH_MAX], val[32];
	unsigned long long start;
	int rc;

	memset(id, 0, sizeof(*id));
	namespace_uuid(dev, id->uuid, sizeof(id->uuid));
	snprintf(path, sizeof(path), DAX_DEVICES "/%s/resource", dev);
	rc = sysfs_read(path, val, sizeof(val));
	if (rc)
		return rc;
	start = strtoull(val, NULL, 16);
	snprintf(id->range, sizeof(id->range), "range=%#llx", start);
	snprintf(path, sizeof(path), DAX_DEVICES "/%s/target_node", dev);
	rc = sysfs_read(path, val, sizeof(val));
	if (rc)
		return rc;
	snprintf(id->node, sizeof(id->node), "node=%s", val);
	return 0;
}

static bool valid_state(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_states); i++)
		if (!strcmp(s, conf_states[i]))
			return true;
	return false;
}

/*
 * Split config line @line (modified) into @key ("uuid=..." etc.) and
 * @state. Returns 0, 1 for a blank or comment line, or -EINVAL with
 * @why set.
 */
static int parse_line(char *line, char **key, char **state, const char **why)
{
	char *extra;

	trim(line);
	*key = strtok(line, " \t");
	if (!*key || **key == '#')
		return 1;
	*state = strtok(NULL, " \t");
	extra = strtok(NULL, " \t");
	if (strncmp(*key, "uuid=", 5) && strncmp(*key, "range=", 6) &&
	    strncmp(*key, "node=", 5)) {
		*why = "expected uuid=, range= or node= first";
		return -EINVAL;
	}
	if (!*state || !valid_state(*state)) {
		*why = "expected a state: offline, online, online_kernel, online_movable or unplugged";
		return -EINVAL;
	}
	if (extra && *extra != '#') {
		*why = "expected one identity and one state";
		return -EINVAL;
	}
	return 0;
}

/* Does identity @key of the file (normalised for range=) match @id? */
static bool key_matches(const char *key, const struct identity *id)
{
	if (!strncmp(key, "range=", 6)) {
		char norm[32];

		snprintf(norm, sizeof(norm), "range=%#llx", strtoull(key + 6, NULL, 0));
		return !strcmp(norm, id->range);
	}
	if (!strncmp(key, "uuid=", 5))
		return id->uuid[0] && !strcasecmp(key, id->uuid);
	return !strcmp(key, id->node);
}

/*
 * The state configured for @dev in @state (STATE_LEN) and the line that
 * says so in @where; 0 if found, 1 if no line matches (or there is no
 * file), a negative errno otherwise. Malformed lines are logged.
 */
int config_state(const char *dev, char *state, char *where, size_t wlen)
{
	struct identity id;
	char *line = NULL, *key, *st;
	const char *why;
	size_t cap = 0;
	int rc, lineno = 0, found = 1;
	FILE *f;

	rc = device_identity(dev, &id);
	if (rc)
		return rc;
	f = fopen(KMEM_HP_DEVICES_CONF, "re");
	if (!f)
		return errno == ENOENT ? 1 : -errno;
	while (found == 1 && getline(&line, &cap, f) > 0) {
		lineno++;
		rc = parse_line(line, &key, &st, &why);
		if (rc < 0) {
			kh_err(dev, "%s:%d: ignored: %s", KMEM_HP_DEVICES_CONF, lineno, why);
			continue;
		}
		if (rc || !key_matches(key, &id))
			continue;
		snprintf(state, STATE_LEN, "%s", st);
		snprintf(where, wlen, "%s:%d (%s)", KMEM_HP_DEVICES_CONF, lineno, key);
		found = 0;
	}
	free(line);
	fclose(f);
	return found;
}

/*
 * Record @state for @dev (kmem_hp states only), replacing the line of the
 * same identity; the file is replaced as a whole (rename). Returns 0 or a
 * negative errno.
 */
int config_save(const char *dev, const char *state)
{
	char tmp[PATH_MAX], *line = NULL, *copy, *key, *st;
	const char *mine, *why;
	struct identity id;
	bool written = false;
	size_t cap = 0;
	FILE *in, *out;
	int rc, fd;

	rc = device_identity(dev, &id);
	if (rc)
		return rc;
	mine = id.uuid[0] ? id.uuid : id.range;
	if (mkdir(KMEM_HP_CONF_DIR, 0755) && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", KMEM_HP_DEVICES_CONF);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0644);
	out = fdopen(fd, "w");
	if (!out) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	in = fopen(KMEM_HP_DEVICES_CONF, "re");
	if (!in)
		fprintf(out, "# kmem_hp device states, applied at boot (see the README).\n"
			"# <uuid=NAMESPACE-UUID|range=START|node=N> <state>\n");
	while (in && getline(&line, &cap, in) > 0) {
		copy = strdup(line);
		if (copy && !parse_line(copy, &key, &st, &why) && !strcmp(key, mine)) {
			if (!written)
				fprintf(out, "%s %s\n", mine, state);
			written = true;
		} else {
			fputs(line, out);
		}
		free(copy);
	}
	if (!written)
		fprintf(out, "%s %s\n", mine, state);
	free(line);
	if (in)
		fclose(in);
	if (fflush(out) || fsync(fileno(out)))
		rc = -errno;
	if (fclose(out) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, KMEM_HP_DEVICES_CONF))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}
