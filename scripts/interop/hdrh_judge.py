#!/usr/bin/env python3
"""HdrHistogram's Python implementation (PyPI `hdrhistogram`, module hdrh) as an independent
judge of msrpcharge's V2 encoding.

    hdrh_judge.py decode BASE64        -> JSON: total, min, max, and values at percentiles
    hdrh_judge.py encode V1 V2 ...     -> the base64 compressed V2 encoding of those values
                                          (lowest 1, highest 3.6e12, 3 digits)
"""
import json
import sys

from hdrh.histogram import HdrHistogram

PERCENTILES = [0, 10, 50, 90, 99, 99.9, 99.99, 100]

if sys.argv[1] == "decode":
    h = HdrHistogram.decode(sys.argv[2])
    print(json.dumps({
        "total": h.get_total_count(),
        "min": h.get_min_value(),
        "max": h.get_max_value(),
        "digits": h.significant_figures,
        "highest": h.highest_trackable_value,
        "percentiles": {str(p): h.get_value_at_percentile(p) for p in PERCENTILES},
    }))
else:
    h = HdrHistogram(1, 3600 * 10**9, 3)
    for v in sys.argv[2:]:
        h.record_value(int(v))
    print(h.encode().decode())
