#!/usr/bin/env bash
# Service identification benchmark (docs/benchmarks.md, "Service
# identification vs nmap -sV"): starts 32 services on 127.0.0.1, 26 of them
# on unusual ports, runs nmap -sV and khien scan against the same ports and
# prints what each identified side by side, with the wall time of each.
#
# Real services: the machine's MariaDB, PostgreSQL, Redis, RabbitMQ,
# Mosquitto and NATS on their usual ports and, through socat, on unusual
# ones; Debian's sshd, vsftpd, memcached, slapd, dovecot, exim4, etcd and
# inetutils telnetd started on unusual ports; Go fakes (the test fakes of
# internal/scan/service) for MongoDB, Elasticsearch, Docker, Kubernetes,
# MSSQL, RDP, SMB, VNC and HTTP(S).
# Needs root (daemons drop privileges themselves), nmap, socat, python3 and
#   apt-get install openssh-server vsftpd memcached slapd dovecot-imapd \
#     dovecot-pop3d exim4-daemon-light etcd-server inetutils-telnetd
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
BIN=${BIN:-$work/khien}
go build -o "$BIN" ./cmd/khien
go test -c -o "$work/fakes.test" ./internal/scan/service
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# label port: what runs where (the label is what the service really is).
services=()
run() { # label port command...
	local label=$1 port=$2
	shift 2
	"$@" >"$work/$label-$port.log" 2>&1 &
	pids+=($!)
	services+=("$label $port")
}
moved() { # label port to: the real service at 127.0.0.1:to, on port too
	run "$1" "$2" socat "TCP-LISTEN:$2,bind=127.0.0.1,fork,reuseaddr" "TCP:127.0.0.1:$3"
}

# The machine's services on their usual ports, and moved.
for s in "mariadb 3306 23306" "postgresql 5432 25433" "redis 6379 36379" "rabbitmq 5672 35673" "mosquitto 1883 31883" "nats 4222 34222"; do
	read -r label usual odd <<<"$s"
	services+=("$label $usual")
	moved "$label" "$odd" "$usual"
done

# Debian daemons on unusual ports.
mkdir -p /run/sshd /var/run/vsftpd/empty "$work/dovecot" "$work/etcd"
ssh-keygen -A >/dev/null
run openssh 40022 /usr/sbin/sshd -D -p 40022 -o ListenAddress=127.0.0.1
cat >"$work/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=40021
background=NO
anonymous_enable=NO
local_enable=YES
secure_chroot_dir=/var/run/vsftpd/empty
seccomp_sandbox=NO
EOF
run vsftpd 40021 /usr/sbin/vsftpd "$work/vsftpd.conf"
run memcached 41211 memcached -u nobody -l 127.0.0.1 -p 41211 -U 0
run openldap 40389 slapd -h ldap://127.0.0.1:40389/ -u openldap -g openldap -d 0
run etcd 42379 etcd --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:42379 \
	--advertise-client-urls http://127.0.0.1:42379 --listen-peer-urls http://127.0.0.1:42380
run exim 40025 exim4 -bdf -oX 40025 -oP "$work/exim.pid"
run telnetd 40023 socat TCP-LISTEN:40023,bind=127.0.0.1,fork,reuseaddr EXEC:/usr/sbin/telnetd,nofork
cat >"$work/dovecot.conf" <<EOF
protocols = imap pop3
listen = 127.0.0.1
base_dir = $work/dovecot
log_path = $work/dovecot.log
ssl = yes
ssl_cert = </etc/dovecot/private/dovecot.pem
ssl_key = </etc/dovecot/private/dovecot.key
passdb {
  driver = pam
}
userdb {
  driver = passwd
}
service imap-login {
  inet_listener imap {
    port = 40143
  }
  inet_listener imaps {
    port = 40993
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 40110
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
run dovecot-imap 40143 dovecot -F -c "$work/dovecot.conf"
services+=("dovecot-imaps 40993" "dovecot-pop3 40110")

# Go fakes on unusual ports.
fakes="mongodb=47017,elasticsearch=49201,docker=42385,kubernetes=46444,mssql=41434,rdp=43390,smb=40445,vnc=45909,http=48081,https=48444"
KHIEN_FAKE_SERVICES=$fakes "$work/fakes.test" -test.run '^TestFakeServices$' -test.timeout 0 >"$work/fakes.log" 2>&1 &
pids+=($!)
for f in ${fakes//,/ }; do services+=("fake-${f%=*} ${f#*=}"); done

ports=$(printf '%s\n' "${services[@]}" | awk '{print $2}' | sort -n | paste -sd, -)
# Wait (at most 30 s) until every port accepts connections.
for _ in $(seq 300); do
	missing=$(python3 - "$ports" <<'PY'
import socket, sys
down = []
for p in sys.argv[1].split(","):
    s = socket.socket()
    s.settimeout(0.2)
    if s.connect_ex(("127.0.0.1", int(p))) != 0:
        down.append(p)
    s.close()
print(",".join(down))
PY
)
	[ -z "$missing" ] && break
	sleep 0.1
done
[ -n "$missing" ] && { echo "not listening: $missing" >&2; exit 1; }
echo "${#services[@]} services on 127.0.0.1: $ports"

now() { date +%s.%N; }
t0=$(now)
nmap -sV -Pn -p "$ports" -oG "$work/nmap.gnmap" 127.0.0.1 >"$work/nmap.txt"
t1=$(now)
"$BIN" scan --lang en --checks port,service --ports "$ports" --format jsonl 127.0.0.1 >"$work/khien.jsonl" || true
t2=$(now)

printf '%s\n' "${services[@]}" >"$work/services.txt"
# KEEP=DIR keeps the raw outputs of both tools.
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$work"/nmap.* "$work"/khien.jsonl "$work"/services.txt "$KEEP"/; fi
python3 - "$work" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" <<'PY'
import json, re, sys
work, tn, tk = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
services = [l.split() for l in open(f"{work}/services.txt") if l.strip()]
nm = {}
for line in open(f"{work}/nmap.gnmap"):
    m = re.search(r"Ports: (.*?)(\t|$)", line)
    if not m:
        continue
    for entry in m.group(1).split(", "):
        f = entry.split("/")
        if len(f) >= 7 and f[1] == "open":
            nm[int(f[0])] = (f[4].replace("|", "/") or "unknown", f[6].replace("|", "/"))
kh = {}
for line in open(f"{work}/khien.jsonl"):
    f = json.loads(line)
    if f["check_id"] == "port.open":
        ev = f["evidence"].split(" open ", 1)[1]
        kh[f["port"]] = ev
    if f["check_id"] == "service.unauthenticated":
        kh.setdefault(("unauth", f["port"]), f["evidence"])
nmap_id = lambda s: bool(s) and not s.endswith("?") and s.removeprefix("ssl/") not in ("unknown", "tcpwrapped")
rows, n_id, k_id = [], 0, 0
for label, port in services:
    port = int(port)
    ns, nv = nm.get(port, ("", ""))
    k = kh.get(port, "")
    n_ok, k_ok = nmap_id(ns), bool(k) and not k.startswith("unknown")
    n_id += n_ok
    k_id += k_ok
    rows.append((label, str(port), (ns + " " + nv).strip() or "-", k or "-", "yes" if ("unauth", port) in kh else ""))
w = [max(len(r[i]) for r in rows + [("service", "port", "nmap -sV", "khien", "unauth")]) for i in range(5)]
fmt = "| " + " | ".join("%%-%ds" % x for x in w) + " |"
print(fmt % ("service", "port", "nmap -sV", "khien", "unauth"))
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows:
    print(fmt % r)
print(f"\nidentified: nmap {n_id}/{len(rows)}, khien {k_id}/{len(rows)}")
print(f"wall time: nmap -sV {tn:.1f} s, khien scan {tk:.1f} s")
PY
