// The header holds the functions (static inline); SwiftPM needs one source file.
#include "CAtomics.h"
