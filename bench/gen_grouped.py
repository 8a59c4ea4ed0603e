#!/usr/bin/env python3
"""A Historical_Import-shaped CSV: one badge, one referenceId, one event date per group of
20-300 customers (seeded), groups in date order as an export would have them.
Usage: gen_grouped.py ROWS FILE"""
import random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(2026)
with open(path, "w") as out:
    out.write("badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n")
    written, group = 0, 0
    while written < rows:
        size = min(rows - written, rng.randint(20, 300))
        day, minute = divmod(group, 1440)
        date = f"2024-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{minute // 60:02d}:{minute % 60:02d}:00Z"
        for _ in range(size):
            written += 1
            out.write(f"66276dc68fe258516a88ff8e,{10_000_000 + written},{date},Historical_Import,backfill-2024\n")
        group += 1
