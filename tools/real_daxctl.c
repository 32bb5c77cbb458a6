// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding and running the real daxctl.
 *
 * The real one is, in order: $KMEM_HP_REAL_DAXCTL; the first "daxctl" in
 * PATH that is not this program; /usr/bin/daxctl. "Not this program" is
 * decided by inode, so symlinks and hard links to the front end are
 * skipped too. Every front end on the way exports the inodes it skipped
 * in KMEM_HP_DAXCTL_SKIP, so two installed copies cannot exec each other
 * in a loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmem_hp_daxctl.h"

#define SKIP_ENV	"KMEM_HP_DAXCTL_SKIP"
#define OVERRIDE_ENV	"KMEM_HP_REAL_DAXCTL"
#define FALLBACK	"/usr/bin/daxctl"

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

	return !stat(path, &st) && S_ISREG(st.st_mode) &&
	       !access(path, X_OK) && !is_front_end(&st);
}

const char *real_daxctl_path(void)
{
	static char found[4096];
	const char *env = getenv(OVERRIDE_ENV);
	char *path, *dir, *save = NULL;

	if (env && *env)
		return usable(env) ? env : NULL;

	path = getenv("PATH");
	path = strdup(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(found, sizeof(found), "%s/daxctl", *dir ? dir : ".");
		if (usable(found)) {
			free(path);
			return found;
		}
	}
	free(path);
	return usable(FALLBACK) ? FALLBACK : NULL;
}

/* Add this program's inode to KMEM_HP_DAXCTL_SKIP for the programs it runs. */
static void export_skip(void)
{
	const char *old = getenv(SKIP_ENV);
	struct stat self;
	char *val;

	if (stat("/proc/self/exe", &self))
		return;
	if (asprintf(&val, "%s%s%llu:%llu", old ? old : "", old && *old ? "," : "",
		     (unsigned long long)self.st_dev,
		     (unsigned long long)self.st_ino) < 0)
		return;
	setenv(SKIP_ENV, val, 1);
	free(val);
}

void exec_real_daxctl(char **argv)
{
	const char *real = real_daxctl_path();

	if (!real) {
		const char *env = getenv(OVERRIDE_ENV);

		if (env && *env)
			fprintf(stderr, "daxctl: %s=%s is not an executable daxctl other than this front end\n",
				OVERRIDE_ENV, env);
		else
			fprintf(stderr, "daxctl: cannot find the real daxctl (not in PATH, no %s; set %s)\n",
				FALLBACK, OVERRIDE_ENV);
		exit(127);
	}
	fflush(NULL);
	export_skip();
	execv(real, argv);
	fprintf(stderr, "daxctl: cannot run %s: %s\n", real, strerror(errno));
	exit(127);
}

/* Is @line one of daxctl's "<did> N device(s)" closing lines? */
static bool summary_line(const char *line)
{
	static const char * const verbs[] = {
		"reconfigured ", "onlined memory for ", "offlined memory for ",
		"disabled ", "enabled ",
	};
	size_t i, n;
	int count, end = 0;

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

/* Copy @fd to stderr line by line, leaving out daxctl's closing line. */
static void filter_stderr(int fd)
{
	FILE *in = fdopen(fd, "r");
	char *line = NULL;
	size_t cap = 0;

	if (!in) {
		close(fd);
		return;
	}
	while (getline(&line, &cap, in) > 0)
		if (!summary_line(line))
			fputs(line, stderr);
	free(line);
	fclose(in);
}

/*
 * Run the real daxctl with @argv and wait for it. Its stdin is ours; so
 * are its stdout, unless @out is given, in which case all of it is
 * returned in *@out (NUL-terminated, *@out_len bytes, free() it), and its
 * stderr, less the "... N device(s)" closing line if @quiet (the front
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

	if (!real)
		return -ENOENT;
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
		export_skip();
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
