#!/usr/bin/env bash
# Scanner benchmarks on loopback (see docs/benchmarks.md, "Scanner").
#  1. khien scan --ports top1000 vs nmap -sT -T4 --top-ports 1000 on 127.0.0.1
#     with 20 listening ports: same open ports? wall times side by side.
#  2. A default safe scan of 256 loopback hosts with --per-host 2: total time
#     and peak RSS.
#  3. HTTP requests per web host in that safe scan, counted by the server.
# Needs nmap, python3 and GNU time; binding ports below 1024 needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-$(mktemp -d)/khien}
HTTP_PORT=${HTTP_PORT:-8080}
RUNS=${RUNS:-5}
go build -o "$BIN" ./cmd/khien
work=$(mktemp -d)
fixture=
cleanup() {
	if [ -n "$fixture" ]; then kill "$fixture" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# Ports in nmap's top-1000 list and in Khiên's top100 (so in its top1000),
# not already in use on this machine: the first 19 plus the web port.
nmap_list=$(nmap -sT --top-ports 1000 -oG - -v 127.0.0.1 2>/dev/null | sed -n 's/.*TCP(1000;\([^)]*\)).*/\1/p')
ours="21 22 23 25 53 110 111 135 139 143 389 443 445 465 548 587 631 636 873 993 995 1433 1521 1723 2049 3000 3389 5000 5432 5900 5901 8000 8008 8081 8443 8888 9090 10000"
listen=$(python3 - "$nmap_list" "$ours" "$HTTP_PORT" <<'PY'
import socket, sys
nm = set()
for part in sys.argv[1].split(","):
    a, _, b = part.partition("-")
    nm.update(range(int(a), int(b or a) + 1))
http = int(sys.argv[3])
out = []
for p in map(int, sys.argv[2].split()):
    if p in nm and p != http and len(out) < 19:
        s = socket.socket()
        try:
            s.bind(("0.0.0.0", p)); out.append(p)
        except OSError:
            pass
        s.close()
print(",".join(map(str, out)))
PY
)
python3 scripts/bench-fixture.py "$listen" "$HTTP_PORT" "$work/http-counts.json" >"$work/fixture.log" &
fixture=$!
until grep -q ready "$work/fixture.log" 2>/dev/null; do sleep 0.1; done
echo "listening on $listen,$HTTP_PORT (plus whatever else listens on 127.0.0.1)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

echo "== 1. top1000 on 127.0.0.1: khien vs nmap ($RUNS runs each, median wall time)"
# The two top-1000 lists differ, so compare on the ports both probe and
# list what each found outside the other's list.
nmap_open=$(nmap -sT -T4 --top-ports 1000 -oG - 127.0.0.1 | grep -o '[0-9]*/open' | cut -d/ -f1 | sort -n | tr '\n' ' ')
khien_open=$("$BIN" scan --ports top1000 --checks port.open --format jsonl 127.0.0.1 | grep -o '"port":[0-9]*' | cut -d: -f2 | sort -n | tr '\n' ' ')
khien_nmaplist=$("$BIN" scan --ports "$nmap_list" --checks port.open --format jsonl 127.0.0.1 | grep -o '"port":[0-9]*' | cut -d: -f2 | sort -n | tr '\n' ' ')
echo "nmap  --top-ports 1000 open:     $nmap_open"
echo "khien --ports top1000 open:      $khien_open"
echo "khien --ports <nmap's list> open: $khien_nmaplist"
if [ "$nmap_open" = "$khien_nmaplist" ]; then echo "same open ports on nmap's list: yes"; else echo "same open ports on nmap's list: NO"; fi
missing=$(comm -23 <(tr ' ' '\n' <<<"$nmap_open" | sort) <(tr ' ' '\n' <<<"$khien_open" | sort) | tr '\n' ' ')
echo "found by nmap, not by khien top1000: ${missing:-none}"
for tool in nmap khien; do
	for _ in $(seq "$RUNS"); do
		t0=$(now)
		if [ $tool = nmap ]; then nmap -sT -T4 --top-ports 1000 127.0.0.1 >/dev/null
		else "$BIN" scan --ports top1000 --checks port.open --format jsonl 127.0.0.1 >/dev/null; fi
		echo "$(now) - $t0" | bc
	done | median | xargs printf "%-6s median wall time %.3f s\n" "$tool"
done

echo "== 2. safe scan of 256 loopback hosts, --per-host 2"
python3 -c 'import ipaddress; a=ipaddress.ip_address("127.0.1.1"); print("\n".join(str(a+i) for i in range(256)))' >"$work/hosts.txt"
/usr/bin/time -v "$BIN" scan --per-host 2 --ports top1000 --format jsonl --output "$work/findings.jsonl" \
	--targets-file "$work/hosts.txt" 2>"$work/time.txt"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/time.txt"
python3 - "$work/findings.jsonl" <<'PY'
import json, sys
fs = [json.loads(l) for l in open(sys.argv[1])]
hosts = {f["ip"] for f in fs}
web = {f["ip"] for f in fs if f["check_id"] == "http.header-grade"}
print(f"findings: {len(fs)} on {len(hosts)} hosts; web checks completed on {len(web)} hosts")
PY

echo "== 3. HTTP requests per web host in the safe scan (counted by the server)"
kill "$fixture"; wait "$fixture" 2>/dev/null || true; fixture=
python3 - "$work/http-counts.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
v = sorted(v for k, v in c.items() if k.startswith("127.0.1.") or k.startswith("127.0.2."))
print(f"web hosts: {len(v)}, requests per host: min {v[0]}, median {v[len(v)//2]}, max {v[-1]} (limit 150)")
PY
