// jemalloc's compile-time options (jemalloc(3), "TUNING"): a program linked with jemalloc
// may define `malloc_conf`, and the executable's definition takes precedence over the
// library's weak default. MALLOC_CONF in the environment is read after it and overrides it.
//
// thp:always asks the kernel for transparent huge pages on the memory jemalloc maps (it calls
// madvise(MADV_HUGEPAGE), which is what counts where THP is set to "madvise", the Debian
// default). The engine's working set (each worker's traffic, 100 000 connections' parsers and
// path caches, the session table's slots) is tens of MiB touched at random: with 4 KiB pages
// nearly every chunk missed the TLB, and in a virtual machine a page walk is nested (the
// measured gain is in docs/performance.md, "Transparent huge pages").
#include "CJemallocConfig.h"

const char *malloc_conf = "thp:always,metadata_thp:always";
