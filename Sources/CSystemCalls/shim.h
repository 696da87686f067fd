#ifndef GRADTRACE_CSYSTEMCALLS_SHIM_H
#define GRADTRACE_CSYSTEMCALLS_SHIM_H
// System and C library calls that Swift cannot make directly (not exposed, or variadic).
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
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

/// A pipe whose two ends close on exec (so no child started later inherits them).
static inline int gradtrace_pipe_cloexec(int fds[2]) {
#if defined(__linux__) && defined(SYS_pipe2)
    return (int)syscall(SYS_pipe2, fds, O_CLOEXEC);
#else
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *, int);
#endif

/// Adds "close every descriptor from `from` up" to a spawn's actions (glibc 2.34 and later).
/// Returns 0, or an error number (ENOSYS where unsupported).
static inline int gradtrace_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
#else
    (void)actions; (void)from;
    return ENOSYS;
#endif
}
/// C's `%.*f` (conversion 'f') or `%.*e` (conversion 'e') of `value` into `buffer`: what
/// snprintf returns (the length it needed, without the NUL). Swift cannot call snprintf, which
/// is variadic, and `withVaList` boxes each argument.
static inline int gradtrace_format_double(char *buffer, size_t size, int places, char conversion, double value) {
    return conversion == 'e' ? snprintf(buffer, size, "%.*e", places, value) : snprintf(buffer, size, "%.*f", places, value);
}
#endif
