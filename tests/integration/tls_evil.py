#!/usr/bin/env python3
"""Hostile 'TLS' servers for tests/integration/tls.sh: python3 tls_evil.py MODE ADDR PORT.

garbage   answers every connection with 64 KiB of non-TLS bytes, then closes
silent    accepts and never sends a byte (holds the connection for 120 s)
slowloris answers with a TLS record header promising 16 KiB, then one byte every 0.5 s
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
