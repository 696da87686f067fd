#ifndef GRADTRACE_CSYSTEMCALLS_SHIM_H
#define GRADTRACE_CSYSTEMCALLS_SHIM_H
// System calls that Swift's Glibc module does not expose.
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

/// Swaps two paths in one step (Linux renameat2 RENAME_EXCHANGE, macOS renamex_np RENAME_SWAP):
/// both must exist. Returns 0, or -1 with errno set (ENOSYS or EINVAL where unsupported).
static inline int gradtrace_exchange_paths(const char *a, const char *b) {
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, -100 /* AT_FDCWD */, a, -100, b, 2 /* RENAME_EXCHANGE */);
#elif defined(__APPLE__)
    return renamex_np(a, b, 0x00000002 /* RENAME_SWAP */);
#else
    errno = ENOSYS;
    return -1;
#endif
}
#endif
