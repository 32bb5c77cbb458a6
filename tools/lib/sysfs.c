// SPDX-License-Identifier: GPL-2.0-only
/* Reading and writing single sysfs attributes, errors as -errno. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "libkmem_hp.h"

/* Read attribute @path into @buf, without the trailing newline. */
int sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, len - 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		rc = -errno;
		n = 0;
	}
	close(fd);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return rc;
}

/*
 * Write @val to attribute @path in one write(). An interrupted write is
 * not retried: for kmem_hp's state file EINTR means "rolled back".
 */
int sysfs_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

bool sysfs_exists(const char *path)
{
	return !access(path, F_OK);
}
