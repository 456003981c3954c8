// zlib (RFC 1950/1951), for HdrHistogram's compressed encoding: the system's libz.
#include <zlib.h>
