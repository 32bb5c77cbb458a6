// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding and running the real daxctl.
 *
 * The front end runs as root, so what it executes must be what root
 * would trust. The real one is, in order:
 *  - $KMEM_HP_REAL_DAXCTL, only if it is an absolute path to a regular,
 *    executable file owned by root and writable by nobody else (anything
 *    else is refused with a message, never silently replaced);
 *  - the path fixed at build time (REAL_DAXCTL, /usr/bin/daxctl);
 *  - the first "daxctl" in an absolute PATH entry (relative entries such
 *    as "." or "" are skipped: they would run whatever is in the current
 *    directory) that is not this program.
 * "Not this program" is decided by inode, so symlinks and hard links to
 * the front end are skipped; every front end on the way exports the
 * inodes it skipped in KMEM_HP_DAXCTL_SKIP, so two installed copies do
 * not exec each other. A "real daxctl" that is a wrapper running the
 * front end again is caught by a hop count in KMEM_HP_DAXCTL_HOPS: the
 * front end refuses to hand over once more than MAX_HOPS times.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define SKIP_ENV	"KMEM_HP_DAXCTL_SKIP"
#define HOPS_ENV	"KMEM_HP_DAXCTL_HOPS"
#define OVERRIDE_ENV	"KMEM_HP_REAL_DAXCTL"
#ifndef REAL_DAXCTL
#define REAL_DAXCTL	"/usr/bin/daxctl"
#endif
#define MAX_HOPS	4

/* Is @st this program or a front end that handed over to it? */
static bool is_front_end(const struct stat *st)
{
	char me[64], *skip;
	struct stat self;

	if (!stat("/proc/self/exe", &self) &&
	    st->st_dev == self.st_dev && st->st_ino == self.st_ino)
		return true;
	snprintf(me, sizeof(me), "%llu:%llu",
		 (unsigned long long)st->st_dev, (unsigned long long)st->st_ino);
	skip = getenv(SKIP_ENV);
	while (skip && *skip) {
		size_t n = strcspn(skip, ",");

		if (n == strlen(me) && !strncmp(skip, me, n))
			return true;
		skip += n;
		skip += *skip == ',';
	}
	return false;
}

static bool usable(const char *path)
{
	struct stat st;

	return path[0] == '/' && !stat(path, &st) && S_ISREG(st.st_mode) &&
	       !access(path, X_OK) && !is_front_end(&st);
}

/* The override must be as trustworthy as /usr/bin itself. */
static const char *override_problem(const char *path)
{
	struct stat st;

	if (path[0] != '/')
		return "not an absolute path";
	if (stat(path, &st) || !S_ISREG(st.st_mode) || access(path, X_OK))
		return "not an executable file";
	if (st.st_uid != 0 || (st.st_mode & 0022))
		return "not owned by root, or writable by others";
	if (is_front_end(&st))
		return "this front end itself";
	return NULL;
}

const char *real_daxctl_path(void)
{
	static char found[4096];
	const char *env = getenv(OVERRIDE_ENV);
	char *path, *dir, *save = NULL;

	if (env && *env)
		return override_problem(env) ? NULL : env;
	if (usable(REAL_DAXCTL))
		return REAL_DAXCTL;

	path = strdup(getenv("PATH") ?: "");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (dir[0] != '/')
			continue;
		snprintf(found, sizeof(found), "%s/daxctl", dir);
		if (usable(found)) {
			free(path);
			return found;
		}
	}
	free(path);
	return NULL;
}

/*
 * For the programs it runs: add this program's inode to
 * KMEM_HP_DAXCTL_SKIP and count the hop. Returns false if there were too
 * many hops already (a loop).
 */
static bool export_skip(void)
{
	const char *old = getenv(SKIP_ENV), *hops = getenv(HOPS_ENV);
	int n = hops ? atoi(hops) : 0;
	struct stat self;
	char *val, buf[16];

	if (n >= MAX_HOPS)
		return false;
	snprintf(buf, sizeof(buf), "%d", n + 1);
	setenv(HOPS_ENV, buf, 1);
	if (stat("/proc/self/exe", &self))
		return true;
	if (asprintf(&val, "%s%s%llu:%llu", old ? old : "", old && *old ? "," : "",
		     (unsigned long long)self.st_dev,
		     (unsigned long long)self.st_ino) < 0)
		return true;
	setenv(SKIP_ENV, val, 1);
	free(val);
	return true;
}

/* Why real_daxctl_path() found nothing. */
static void say_not_found(void)
{
	const char *env = getenv(OVERRIDE_ENV);

	if (env && *env)
		fprintf(stderr, "daxctl: %s=%s refused: %s\n", OVERRIDE_ENV, env,
			override_problem(env));
	else
		fprintf(stderr, "daxctl: cannot find the real daxctl (no %s, none in PATH's absolute directories; set %s)\n",
			REAL_DAXCTL, OVERRIDE_ENV);
}

void exec_real_daxctl(char **argv)
{
	const char *real = real_daxctl_path();

	if (!real) {
		say_not_found();
		exit(127);
	}
	if (!export_skip()) {
		fprintf(stderr, "daxctl: %s runs this front end again (a loop): not running it\n",
			real);
		exit(127);
	}
	fflush(NULL);
	default_signals();
	execv(real, argv);
	fprintf(stderr, "daxctl: cannot run %s: %s\n", real, strerror(errno));
	exit(127);
}

/*
 * Is @line one of daxctl's closing lines, "<did> N device(s)" or the
 * "error <doing>: <cause>" before it?
 */
static bool summary_line(const char *line)
{
	static const char * const verbs[] = {
		"reconfigured ", "onlined memory for ", "offlined memory for ",
		"disabled ", "enabled ", "destroyed ",
	};
	static const char * const errors[] = {
		"error reconfiguring devices: ", "error onlining memory: ",
		"error offlining memory: ", "error disabling device: ",
		"error enabling device: ", "error destroying devices: ",
	};
	size_t i, n;
	int count, end = 0;

	for (i = 0; i < ARRAY_SIZE(errors); i++)
		if (!strncmp(line, errors[i], strlen(errors[i])))
			return true;
	for (i = 0; i < ARRAY_SIZE(verbs); i++) {
		n = strlen(verbs[i]);
		if (strncmp(line, verbs[i], n))
			continue;
		if (sscanf(line + n, "%d device%n", &count, &end) == 1 && end &&
		    (!strcmp(line + n + end, "\n") || !strcmp(line + n + end, "s\n")))
			return true;
	}
	return false;
}

/*
 * Copy @fd to stderr line by line, leaving out daxctl's closing line,
 * until the real daxctl closes it. A signal the front end notes
 * interrupts the read (EINTR): read on, or the real daxctl would die of
 * SIGPIPE half-way through its work.
 */
static void filter_stderr(int fd)
{
	FILE *in = fdopen(fd, "r");
	char *line = NULL;
	size_t cap = 0;

	if (!in) {
		close(fd);
		return;
	}
	for (;;) {
		errno = 0;
		if (getline(&line, &cap, in) > 0) {
			if (!summary_line(line))
				fputs(line, stderr);
			continue;
		}
		if (errno != EINTR)
			break;
		clearerr(in);
	}
	free(line);
	fclose(in);
}

/*
 * Run the real daxctl with @argv and wait for it. Its stdin is ours; so
 * are its stdout, unless @out is given, in which case all of it is
 * returned in *@out (NUL-terminated, *@out_len bytes, free() it), and its
 * stderr, less daxctl's closing lines if @quiet (the front
 * end prints its own). Returns its exit status (128 + signal if killed),
 * or a negative errno if it could not be run.
 */
int run_real_daxctl(char **argv, char **out, size_t *out_len, bool quiet)
{
	const char *real = real_daxctl_path();
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int pipefd[2], status;
	pid_t pid;

	if (!real) {
		say_not_found();
		return -ENOENT;
	}
	if ((out || quiet) && pipe(pipefd))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		status = -errno;
		if (out || quiet) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return status;
	}
	if (!pid) {
		if (out || quiet) {
			dup2(pipefd[1], out ? STDOUT_FILENO : STDERR_FILENO);
			close(pipefd[0]);
			close(pipefd[1]);
		}
		if (!export_skip()) {
			fprintf(stderr, "daxctl: %s runs this front end again (a loop): not running it\n",
				real);
			_exit(127);
		}
		default_signals();
		execv(real, argv);
		fprintf(stderr, "daxctl: cannot run %s: %s\n", real, strerror(errno));
		_exit(127);
	}
	if (quiet && !out) {
		close(pipefd[1]);
		filter_stderr(pipefd[0]);
	}
	if (out) {
		close(pipefd[1]);
		for (;;) {
			ssize_t n;

			if (cap - len < 4096) {
				char *nbuf = realloc(buf, cap + 65536);

				if (!nbuf)
					break;
				buf = nbuf;
				cap += 65536;
			}
			n = read(pipefd[0], buf + len, cap - len - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += n;
		}
		close(pipefd[0]);
		if (buf)
			buf[len] = '\0';
		*out = buf;
		*out_len = len;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
