// The header holds the atomics (static inline); the futex calls need the system call.
#include "CAtomics.h"

#if defined(__linux__)
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void msrpcharge_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns) {
    struct timespec ts = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, &ts, NULL, 0);
}

void msrpcharge_futex_wake_all(uint32_t *word) { syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0); }
#else
#include <sched.h>
void msrpcharge_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns) { (void)word; (void)expected; (void)timeout_ns; sched_yield(); }
void msrpcharge_futex_wake_all(uint32_t *word) { (void)word; }
#endif
