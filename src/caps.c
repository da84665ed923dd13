/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The calling thread's capabilities. */
#include <linux/capability.h>
#include <sys/syscall.h>

#include "internal.h"

bool lxns__have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3 || syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}
