#!/usr/bin/env python3
"""A TLS server on 127.0.0.1 with an ephemeral port (written to argv[3]) for CLI tests: it completes
handshakes with the fixture certificate argv[1] / key argv[2] and closes. Stops after 600 s or
2000 connections, whichever comes first (the test kills it long before)."""
import socket, ssl, sys, threading, time

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(64)
with open(sys.argv[3] + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os
os.rename(sys.argv[3] + ".tmp", sys.argv[3])
srv.settimeout(1.0)
deadline = time.monotonic() + 600

def serve(c):
    try:
        c.settimeout(5)
        with ctx.wrap_socket(c, server_side=True) as t:
            t.recv(1)
    except Exception:
        pass
    finally:
        c.close()

n = 0
while time.monotonic() < deadline and n < 2000:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        continue
    n += 1
    threading.Thread(target=serve, args=(c,), daemon=True).start()
