#ifndef MSRPCHARGE_CJEMALLOCCONFIG_H
#define MSRPCHARGE_CJEMALLOCCONFIG_H

/// The options jemalloc reads at start-up, compiled into the executable. Declared here so
/// that Swift can print them in the report; defined in CJemallocConfig.c.
extern const char *malloc_conf;

#endif
