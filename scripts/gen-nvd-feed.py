#!/usr/bin/env python3
"""Writes a synthetic NVD CVE JSON 2.0 feed (gzip) for import benchmarks.

Usage: gen-nvd-feed.py N OUT.json.gz
The entries have the shape of real yearly feeds: an English and a Spanish
description of typical length, a CVSS 3.1 metric, a CWE, 1-4 CPE matches with
version ranges (some in AND configurations) and a few references.
"""
import gzip
import json
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(42)
vendors = [f"vendor{i}:product{j}" for i in range(400) for j in range(5)]
words = "the a vulnerability in allows remote attackers to execute arbitrary code via crafted request parameter buffer overflow cross-site scripting sql injection authentication bypass".split()


def text(k):
    return " ".join(rnd.choice(words) for _ in range(k))


vulns = []
for i in range(n):
    matches = []
    for _ in range(rnd.randint(1, 4)):
        vp = rnd.choice(vendors)
        a, b = rnd.randint(0, 9), rnd.randint(0, 20)
        m = {"vulnerable": True, "criteria": f"cpe:2.3:a:{vp}:*:*:*:*:*:*:*:*", "matchCriteriaId": f"{i:08X}-0000"}
        m["versionStartIncluding"] = f"{a}.0"
        m["versionEndExcluding"] = f"{a}.{b}.{rnd.randint(0, 9)}"
        matches.append(m)
    nodes = [{"operator": "OR", "negate": False, "cpeMatch": matches}]
    if rnd.random() < 0.2:
        nodes.append({"operator": "OR", "negate": False, "cpeMatch": [{"vulnerable": False, "criteria": "cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*", "matchCriteriaId": "X"}]})
    vulns.append({"cve": {
        "id": f"CVE-2099-{i:05d}", "sourceIdentifier": "cve@mitre.org", "published": "2099-01-01T00:00:00.000",
        "lastModified": "2099-01-02T00:00:00.000", "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": text(60)}, {"lang": "es", "value": text(60)}],
        "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary", "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8, "baseSeverity": "CRITICAL"}, "exploitabilityScore": 3.9, "impactScore": 5.9}]},
        "weaknesses": [{"source": "nvd@nist.gov", "type": "Primary", "description": [{"lang": "en", "value": f"CWE-{rnd.randint(20, 900)}"}]}],
        "configurations": [{"nodes": nodes, **({"operator": "AND"} if len(nodes) > 1 else {})}],
        "references": [{"url": f"https://example.com/advisory/{i}/{k}", "source": "cve@mitre.org"} for k in range(rnd.randint(1, 6))],
    }})
with gzip.open(out, "wt") as f:
    json.dump({"resultsPerPage": n, "startIndex": 0, "totalResults": n, "format": "NVD_CVE", "version": "2.0", "timestamp": "2099-01-02T00:00:00.000", "vulnerabilities": vulns}, f)
