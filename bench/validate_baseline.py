#!/usr/bin/env python3
"""A straightforward Python `csv`-module validator doing the same checks as
`badge-import validate`, as the yardstick for bench/validate.sh (the Swift tool must be
>= 3x faster). Per row: badgeMetaId 24 hex, customerId digits > 0 fitting Int64, ownerType
in the documented set (case-insensitive), referenceId non-empty, earnEventDate a real ISO
8601 instant (Z or +hh:mm, optional fraction) not > 24 h in the future, normalised to UTC
milliseconds; requestId = SHA-256 of the same length-prefixed v1 layout; duplicate-in-input
via a set.

Usage: bench/validate_baseline.py FILE.csv
"""
import csv, hashlib, re, sys
from datetime import datetime, timedelta, timezone

OWNER = {o.lower(): o for o in ["Loyalty", "Loyalty_Promotion", "Referral_Campaigns", "Journeys",
         "Audience_Campaigns", "Rewards_Catalog", "Goodwill_Module", "Milestones", "Historical_Import"]}
HEX24 = re.compile(r"[0-9a-fA-F]{24}\Z")
DIGITS = re.compile(r"[0-9]+\Z")
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))\Z")
NS = "badge-import/v1"
latest = datetime.now(timezone.utc) + timedelta(hours=24)

def parse_date(s):
    m = DATE.match(s)
    if not m:
        return None
    y, mo, d, h, mi, se, frac, z, sign, oh, om = m.groups()
    try:
        tz = timezone.utc if z else timezone((1 if sign == "+" else -1) * timedelta(hours=int(oh), minutes=int(om)))
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(se), int((frac or "0")[:3].ljust(3, "0")) * 1000, tzinfo=tz)
    except ValueError:
        return None
    return dt.astimezone(timezone.utc)

def lp(s):
    return f"{len(s.encode())}:{s}\n"

records = valid = invalid = dups = 0
seen = set()
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    reader = csv.reader(f)
    header = [h.strip().lower() for h in next(reader)]
    idx = {name: header.index(name.lower()) for name in ["badgeMetaId", "customerId", "earnEventDate", "ownerType", "referenceId"]}
    for row in reader:
        if not row:
            continue
        records += 1
        errors = []
        if len(row) != len(header):
            errors.append("shape")
        else:
            b = row[idx["badgeMetaId"]].strip(); c = row[idx["customerId"]].strip()
            e = row[idx["earnEventDate"]].strip(); o = row[idx["ownerType"]].strip(); r = row[idx["referenceId"]].strip()
            if not HEX24.match(b): errors.append("badgeMetaId")
            if not DIGITS.match(c) or not (0 < int(c) < 2**63): errors.append("customerId")
            owner = OWNER.get(o.lower())
            if owner is None: errors.append("ownerType")
            if not r: errors.append("referenceId")
            dt = parse_date(e)
            if dt is None or dt > latest: errors.append("earnEventDate")
        if errors:
            invalid += 1
            continue
        valid += 1
        when = dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
        material = "badge-import:requestId:v1\n" + lp(NS) + lp(b.lower()) + lp(str(int(c))) + lp(owner) + lp(r) + lp(when)
        rid = hashlib.sha256(material.encode()).hexdigest()
        if rid in seen:
            dups += 1
        else:
            seen.add(rid)
print(f"{records} records: {valid} valid ({len(seen)} unique, {dups} duplicate-in-input), {invalid} invalid")
