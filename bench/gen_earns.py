#!/usr/bin/env python3
"""Generate a synthetic earn-event file for the validate benchmarks.

Usage: bench/gen_earns.py ROWS [csv|jsonl] [OUT]
Writes bench/data/earns-ROWS.csv (or .jsonl) by default: five columns
(badgeMetaId, customerId, earnEventDate, ownerType, referenceId), every row valid and
distinct, dates in 2024-2025 with a mix of Z and +hh:mm offsets. Deterministic (seeded).
bench/data/ is gitignored: never commit generated data.
"""
import json, os, random, sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
fmt = sys.argv[2] if len(sys.argv) > 2 else "csv"
here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "data", f"earns-{rows}.{fmt}")
os.makedirs(os.path.dirname(out), exist_ok=True)
rng = random.Random(42)
badges = ["66276dc68fe258516a88ff8e", "66da90348bdb494a4f06576f", "6650a1b2c3d4e5f601234567"]
owners = ["Historical_Import", "Loyalty", "Journeys"]
offsets = ["Z", "+05:30", "-04:00", ".250Z"]
with open(out, "w", newline="") as f:
    if fmt == "csv":
        f.write("badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n")
    for i in range(rows):
        month = rng.randint(1, 12); day = rng.randint(1, 28)
        date = f"{rng.choice((2024, 2025))}-{month:02d}-{day:02d}T{rng.randint(0,23):02d}:{rng.randint(0,59):02d}:{rng.randint(0,59):02d}{rng.choice(offsets)}"
        badge = badges[i % 3]; cust = 62090001 + i; owner = owners[i % 3]; ref = f"backfill-{i}"
        if fmt == "csv":
            f.write(f"{badge},{cust},{date},{owner},{ref}\n")
        else:
            f.write(json.dumps({"badgeMetaId": badge, "customerId": cust, "earnEventDate": date,
                                "ownerType": owner, "referenceId": ref}) + "\n")
print(out)
