/* SPDX-License-Identifier: GPL-2.0-only */
/* What the bench's timing helpers (khb-*.c) share: the clock and errno names. */
#ifndef KHB_H
#define KHB_H

#include <string.h>
#include <time.h>

/* CLOCK_MONOTONIC in ns. */
static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "EBUSY" for EBUSY; "EUNKNOWN" for what glibc has no name for. */
static inline const char *err_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "EUNKNOWN";
}

#endif /* KHB_H */
