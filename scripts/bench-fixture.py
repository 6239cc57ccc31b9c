#!/usr/bin/env python3
"""Loopback fixture for scripts/bench-scan.sh.

Listens on the given TCP ports on 0.0.0.0 (so every 127.0.0.0/8 address
answers), accepting and closing connections, and serves a small web portal on
the HTTP port. It counts HTTP requests per destination address and writes the
counts as JSON to the stats file when it receives SIGTERM.
"""
import json
import os
import signal
import socket
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ports = [int(p) for p in sys.argv[1].split(",") if p]
http_port = int(sys.argv[2])
stats_file = sys.argv[3]
counts = Counter()
lock = threading.Lock()

PAGE = b"""<html><head><title>Cong thong tin dien tu</title>
<meta name="generator" content="WordPress 6.6.2">
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script></head>
<body><h1>Tin tuc</h1><p>Trang thong tin cua co quan.</p></body></html>"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _count(self):
        with lock:
            counts[self.connection.getsockname()[0]] += 1

    def do_GET(self):
        self._count()
        if self.path == "/":
            body, status = PAGE, 200
        else:
            body, status = b"not found", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def do_TRACE(self):
        self._count()
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def accept_and_close(sock):
    while True:
        try:
            c, _ = sock.accept()
            c.close()
        except OSError:
            return


for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p))
    s.listen(1024)
    threading.Thread(target=accept_and_close, args=(s,), daemon=True).start()

class Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # port probes connect and hang up; that is not an error here



httpd = Server(("0.0.0.0", http_port), Handler)


def stop(*_):
    with open(stats_file, "w") as f:
        json.dump(counts, f)
    os._exit(0)  # do not wait for connection threads


signal.signal(signal.SIGTERM, stop)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
print("ready", flush=True)
signal.pause()
