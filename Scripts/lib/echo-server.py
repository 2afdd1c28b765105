#!/usr/bin/env python3
"""The testbed's "internet" web server (Scripts/testbed.sh, issue 8 item 11).

  echo-server.py serve ADDR:PORT [ADDR:PORT ...]   HTTP/1.1 on each address ([v6]:port for IPv6)
  echo-server.py sum MIB                             SHA-256 of what /bytes/MIB serves

Every answer says who asked: GET /anything answers "peer=ADDRESS\\n" (the source address the
server sees, so through an exit it is the exit's NAT address). GET /bytes/MIB streams MIB MiB of
deterministic bytes (block i of 1 MiB is random.Random(i).randbytes), so a client checks a
download against `sum MIB` without the data ever being stored. Each request is logged on stdout
as "peer=ADDRESS PATH". Standard library only.
"""
import hashlib
import http.server
import random
import socket
import sys
import threading

MIB = 1 << 20
MAX_MIB = 4096
_blocks = {}
_lock = threading.Lock()


def block(i):
    """1 MiB block i of the deterministic stream (cached: a few blocks are reused by every request)."""
    with _lock:
        data = _blocks.get(i)
        if data is None:
            data = random.Random(i).randbytes(MIB)
            if len(_blocks) < 64:
                _blocks[i] = data
        return data


def stream_sum(mib):
    digest = hashlib.sha256()
    for i in range(mib):
        digest.update(block(i))
    return digest.hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "dvpn-testbed-echo/1"

    def log_message(self, format, *args):  # the per-request line below replaces the default log
        pass

    def do_GET(self):
        peer = self.client_address[0]
        if peer.startswith("::ffff:"):
            peer = peer[len("::ffff:"):]
        print("peer=%s %s" % (peer, self.path), flush=True)
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] in ("bytes", "sha256") and parts[1].isdigit() \
                and 0 < int(parts[1]) <= MAX_MIB:
            mib = int(parts[1])
            if parts[0] == "sha256":
                return self.answer(stream_sum(mib) + "\n", peer)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(mib * MIB))
            self.send_header("X-Peer", peer)
            self.end_headers()
            try:
                for i in range(mib):
                    data = memoryview(block(i))
                    for offset in range(0, MIB, 256 * 1024):
                        self.wfile.write(data[offset:offset + 256 * 1024])
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                pass
            return
        self.answer("peer=%s\n" % peer, peer)

    def answer(self, text, peer):
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Peer", peer)
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class Server6(Server):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


def parse(text):
    host, _, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        return Server6, host[1:-1], int(port)
    return Server, host, int(port)


def main(argv):
    if len(argv) == 2 and argv[0] == "sum" and argv[1].isdigit():
        print(stream_sum(int(argv[1])))
        return 0
    if len(argv) >= 2 and argv[0] == "serve":
        servers = []
        for text in argv[1:]:
            cls, host, port = parse(text)
            server = cls((host, port), Handler)
            server.timeout = 30
            servers.append(server)
        for server in servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        print("listening on %s" % " ".join(argv[1:]), flush=True)
        threading.Event().wait()
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
