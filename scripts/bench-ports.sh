#!/usr/bin/env bash
# Port-scan politeness benchmarks on loopback (docs/benchmarks.md, "Port scan
# politeness: one host and a /24"), khien and nmap -sT side by side:
#  1. one host, top1000, safe profile: 127.0.3.1 with 12 listening ports
#     (one of them a small web site);
#  2. a /24: 127.0.1.1-127.0.1.254, every 16th address with 3 listening
#     ports; the others refuse every port (an up host with nothing open);
#  3. a /24 behind a firewall that drops everything (ICMP too) but 16 hosts
#     (127.0.4.0/24, nft DROP on input, after the capture), the filtered-host case.
# At the target: every SYN to the scanned addresses is captured on lo with
# tcpdump, and the peak number per host in any one-second window (and in
# any clock second, what a per-second counter would show) is reported.
# Peak RSS from GNU time. Needs root, nmap, tcpdump, nft, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-$(mktemp -d)/khien}
go build -o "$BIN" ./cmd/khien
work=$(mktemp -d)
pids=()
table="khien_bench_$$"
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	nft delete table inet "$table" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# fixture ADDR:PORT[,ADDR:PORT...] [HTTP_ADDR:PORT]: accept and close on
# each, serve a small page on the HTTP one.
fixture() {
	python3 - "$@" <<'PY' &
import socket, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Page(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><head><title>Cong thong tin</title></head><body>Tin tuc</body></html>"
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_HEAD = do_GET
    def log_message(self, *a):
        pass

def accept(s):
    while True:
        c, _ = s.accept()
        c.close()

for spec in filter(None, sys.argv[1].split(",")):
    a, p = spec.rsplit(":", 1)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, int(p)))
    s.listen(128)
    threading.Thread(target=accept, args=(s,), daemon=True).start()
if len(sys.argv) > 2:
    a, p = sys.argv[2].rsplit(":", 1)
    srv = ThreadingHTTPServer((a, int(p)), Page)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
PY
	pids+=($!)
}

# capture NET FILE: SYNs (not SYN-ACKs) to NET on lo, with timestamps.
capture() {
	tcpdump -i lo -n -tt -l "dst net $1 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn" >"$2" 2>/dev/null &
	pids+=($!)
	sleep 1 # tcpdump opens the interface
}

# peak FILE: the most SYNs one host received in any one-second window, the
# host, and the total.
peak() {
	python3 - "$1" <<'PY'
import sys, collections
by = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) > 4 and f[1] == "IP":
        by[f[4].rsplit(".", 1)[0]].append(float(f[0]))
best, host, total, aligned = 0, "-", 0, 0
for h, ts in by.items():
    ts.sort(); total += len(ts); j = 0
    for i, t in enumerate(ts):
        while ts[j] <= t - 1.0:
            j += 1
        if i - j + 1 > best:
            best, host = i - j + 1, h
    aligned = max(aligned, max(collections.Counter(int(t) for t in ts).values()))
print(f"peak {best} SYN/s at {host} (sliding 1 s window; {aligned} in a clock second); {total} SYNs to {len(by)} hosts")
PY
}

# measure NAME NET CMD...: wall time and peak RSS (GNU time), SYNs at the target.
measure() {
	local name=$1 net=$2
	shift 2
	capture "$net" "$work/$name.syn"
	/usr/bin/time -v "$@" >"$work/$name.out" 2>"$work/$name.time" || true
	sleep 1 # the last packets reach tcpdump
	kill "${pids[-1]}"
	unset 'pids[-1]'
	printf "%-28s wall %s, peak RSS %s kB, %s\n" "$name" \
		"$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$name.time")" \
		"$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/$name.time")" \
		"$(peak "$work/$name.syn")"
}

echo "== 1. one host, top1000 (127.0.3.1, 12 open ports, one web site)"
one=127.0.3.1
fixture "$one:21,$one:22,$one:25,$one:110,$one:143,$one:445,$one:3306,$one:3389,$one:5432,$one:6379,$one:8443" "$one:80" >"$work/f1.log"
until grep -q ready "$work/f1.log"; do sleep 0.1; done
measure khien-safe-top1000 "$one/32" "$BIN" scan --format jsonl "$one"
measure khien-ports-only-top1000 "$one/32" "$BIN" scan --checks port.open --format jsonl "$one"
measure nmap-sT-top1000 "$one/32" nmap -sT "$one"
echo "open ports: khien $(grep -c '"check_id":"port.open"' "$work/khien-ports-only-top1000.out"), nmap $(grep -c '/tcp *open' "$work/nmap-sT-top1000.out")"

echo "== 2. a /24 of up hosts (127.0.1.0/24, 16 with 3 open ports)"
specs=
for i in $(seq 1 16 254); do specs+="127.0.1.$i:22,127.0.1.$i:443,127.0.1.$i:3306,"; done
fixture "$specs" >"$work/f2.log"
until grep -q ready "$work/f2.log"; do sleep 0.1; done
measure khien-safe-24-up 127.0.1.0/24 "$BIN" scan --format jsonl 127.0.1.0/24
measure nmap-sT-24-up 127.0.1.0/24 nmap -sT 127.0.1.0/24
echo "hosts with open ports: khien $(grep -o '"ip":"[0-9.]*"' "$work/khien-safe-24-up.out" | sort -u | wc -l), nmap $(grep -c '^Host is up' "$work/nmap-sT-24-up.out" || true) up"

echo "== 3. a /24 behind a dropping firewall (127.0.4.0/24, 16 hosts let through)"
allowed=
for i in $(seq 1 16 254); do allowed+="127.0.4.$i, "; done
nft -f - <<EOF
table inet $table {
	chain in {
		type filter hook input priority 0; policy accept;
		iifname "lo" ip daddr 127.0.4.0/24 ip daddr != { ${allowed%, } } drop
	}
}
EOF
specs=
for i in $(seq 1 16 254); do specs+="127.0.4.$i:22,127.0.4.$i:443,127.0.4.$i:3306,"; done
fixture "$specs" >"$work/f3.log"
until grep -q ready "$work/f3.log"; do sleep 0.1; done
measure khien-safe-24-filtered 127.0.4.0/24 "$BIN" scan --format jsonl 127.0.4.0/24
measure nmap-sT-24-filtered 127.0.4.0/24 nmap -sT 127.0.4.0/24
