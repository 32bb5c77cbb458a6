#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# pre-pivot hook of the dracut test image (sourced by dracut): the CXL RAM
# region, as firmware would have set it up, then the record.
/usr/sbin/kh-cxl-region >/dev/kmsg 2>&1 || echo "kh-cxl-region: failed" >/dev/kmsg
/usr/sbin/kh-record
