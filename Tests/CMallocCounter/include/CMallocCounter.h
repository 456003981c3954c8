#ifndef MSRPCHARGE_CMALLOCCOUNTER_H
#define MSRPCHARGE_CMALLOCCOUNTER_H

#include <stdbool.h>
#include <stdint.h>

/// Allocations made by the calling thread so far (malloc, calloc, realloc, posix_memalign,
/// aligned_alloc, memalign), as swift-nio's allocation tests count them.
uint64_t msrpcharge_thread_allocations(void);

/// False where the counter is not installed (under a sanitizer, which has its own allocator).
bool msrpcharge_allocation_counting(void);

#endif
