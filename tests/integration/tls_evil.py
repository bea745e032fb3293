#!/usr/bin/env python3
"""Hostile 'TLS' servers for tests/integration/tls.sh: python3 tls_evil.py MODE ADDR PORT.

garbage   answers every connection with 64 KiB of non-TLS bytes, then closes
silent    accepts and never sends a byte (holds the connection for 120 s)
slowloris answers with a TLS record header promising 16 KiB, then one byte every 0.5 s
reset     reads the ClientHello, answers with half a ServerHello and resets the connection
legacy    a fake legacy device: speaks SSLv3 .. TLS 1.2 but only 3DES (0x000A) and RC4 (0x0005);
          answers a ClientHello offering one of them with a ServerHello, anything else with a
          handshake_failure alert (suites Debian's OpenSSL 3 can no longer offer)
hugecert  answers with a ServerHello and a Certificate message that claims 16 MiB - 1, then
          streams zero bytes as fast as the client reads them (a 'huge certificate chain')
Every connection is served on its own thread and lives at most 120 s.
"""
import os
import socket
import socketserver
import struct
import sys
import time

LIFETIME = 120


def record(ctype, payload, version=0x0303):
    return struct.pack(">BHH", ctype, version, len(payload)) + payload


def read_client_hello(s):
    """(client_version, [suites]) from the first record, or None."""
    data = b""
    while len(data) < 5 or len(data) < 5 + struct.unpack(">H", data[3:5])[0]:
        chunk = s.recv(4096)
        if not chunk or len(data) > 20000:
            return None
        data += chunk
    if data[0] != 22 or data[5] != 1:
        return None
    body = data[9:]
    version = struct.unpack(">H", body[0:2])[0]
    sid = body[34]
    off = 35 + sid
    n = struct.unpack(">H", body[off:off + 2])[0]
    suites = [struct.unpack(">H", body[off + 2 + i:off + 4 + i])[0] for i in range(0, n, 2)]
    return version, suites


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(LIFETIME)
        end = time.monotonic() + LIFETIME
        mode = self.server.mode
        try:
            if mode == "garbage":
                s.recv(4096)
                s.sendall(b"HTTP/1.0 200 OK\r\n" + os.urandom(65536))
            elif mode == "silent":
                while time.monotonic() < end:
                    if not s.recv(4096):
                        return
            elif mode == "slowloris":
                s.recv(4096)
                s.sendall(struct.pack(">BHH", 22, 0x0303, 16384))
                while time.monotonic() < end:
                    s.sendall(b"\x00")
                    time.sleep(0.5)
            elif mode == "reset":
                s.recv(4096)
                s.sendall(struct.pack(">BHH", 22, 0x0303, 60) + b"\x02\x00\x00\x38\x03\x03")
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            elif mode == "legacy":
                hello = read_client_hello(s)
                if hello is None:
                    return
                version, suites = hello
                chosen = next((c for c in (0x000A, 0x0005) if c in suites), None)
                if chosen is None or not 0x0300 <= version <= 0x0303:
                    s.sendall(record(21, b"\x02\x28", 0x0301))
                    return
                body = struct.pack(">H", version) + os.urandom(32) + b"\x00" + struct.pack(">HB", chosen, 0)
                s.sendall(record(22, b"\x02" + len(body).to_bytes(3, "big") + body, version))
            elif mode == "hugecert":
                s.recv(4096)
                hello = struct.pack(">H", 0x0303) + os.urandom(32) + b"\x00" + struct.pack(">HB", 0xC02F, 0)
                msg = struct.pack(">B", 2) + len(hello).to_bytes(3, "big") + hello
                # Certificate message claiming 16 MiB of certificates
                cert = struct.pack(">B", 11) + ((16 << 20) - 1).to_bytes(3, "big") + ((16 << 20) - 4).to_bytes(3, "big")
                s.sendall(record(22, msg) + record(22, cert))
                chunk = record(22, b"\x00" * 16000)
                while time.monotonic() < end:
                    s.sendall(chunk)
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    srv = Server((addr, port), Handler)
    srv.mode = mode
    srv.serve_forever()


if __name__ == "__main__":
    main()
