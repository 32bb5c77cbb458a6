// SPDX-License-Identifier: GPL-2.0-only
/*
 * kh-nocap CMD [ARG...]: run CMD as root but without CAP_SYS_ADMIN.
 *
 * Drops CAP_SYS_ADMIN from the bounding set (so that exec, which gives
 * root every capability of the bounding set, cannot bring it back), from
 * the ambient set and from the effective, permitted and inheritable sets,
 * then execs CMD. Every other capability stays (CAP_DAC_OVERRIDE etc.), so
 * a sysfs file that root may open is still opened; only checks of
 * CAP_SYS_ADMIN see the difference.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int idx = CAP_TO_INDEX(CAP_SYS_ADMIN);
	unsigned int mask = CAP_TO_MASK(CAP_SYS_ADMIN);

	if (argc < 2) {
		fprintf(stderr, "usage: kh-nocap CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0)) {
		perror("kh-nocap: PR_CAPBSET_DROP");
		return 2;
	}
	/* No ambient capabilities on old kernels is fine: nothing to lower. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SYS_ADMIN, 0, 0) &&
	    errno != EINVAL) {
		perror("kh-nocap: PR_CAP_AMBIENT_LOWER");
		return 2;
	}
	if (syscall(SYS_capget, &hdr, data)) {
		perror("kh-nocap: capget");
		return 2;
	}
	data[idx].effective &= ~mask;
	data[idx].permitted &= ~mask;
	data[idx].inheritable &= ~mask;
	if (syscall(SYS_capset, &hdr, data)) {
		perror("kh-nocap: capset");
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "kh-nocap: cannot run %s: %s\n", argv[1], strerror(errno));
	return 127;
}
