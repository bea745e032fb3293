#!/usr/bin/env python3
"""Abuse clients for tests/integration/registry_dos.sh (loopback only, bounded in count and
time; nothing here measures time). Prints one result line that the shell test checks.

  dos.py slowloris HOST PORT SRC N ROUNDS
      N sockets from source address SRC, each sending a request line and then one header
      byte per second for at most ROUNDS seconds. Prints "refused=R closed=C open=O":
      R sockets closed by the server at once (per-client cap), C closed while trickling
      (request deadline), O still open at the end.
  dos.py flood HOST PORT SRC N METHOD PATH
      N connections from SRC, each announcing a 4 MiB body for METHOD PATH and sending
      none of it.
      Prints "answered=A status=S closed=C": A answers read, S their distinct status codes,
      C connections the server closed after answering (without waiting for the body).
"""
import select
import socket
import sys
import time


def connect(host, port, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect((host, port))
    return s


def eof(s):
    """True when the peer closed (or reset) the connection; never blocks."""
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return False
    try:
        return s.recv(4096) == b""
    except (ConnectionResetError, OSError):
        return True


def slowloris(host, port, src, n, rounds):
    socks = []
    for _ in range(n):
        s = connect(host, port, src)
        s.sendall(b"GET /api/v1/products HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    # give the server a bounded chance to drop those over the cap
    refused = set()
    for _ in range(50):
        for i, s in enumerate(socks):
            if i not in refused and eof(s):
                refused.add(i)
        if len(refused) >= n - 1:
            break
        time.sleep(0.02)
    closed = set()
    for _ in range(rounds):
        for i, s in enumerate(socks):
            if i in refused or i in closed:
                continue
            try:
                s.sendall(b"X")
            except OSError:
                closed.add(i)
                continue
            if eof(s):
                closed.add(i)
        if len(refused) + len(closed) == n:
            break
        time.sleep(1)
    print("refused=%d closed=%d open=%d" % (len(refused), len(closed), n - len(refused) - len(closed)))
    for s in socks:
        s.close()


def flood(host, port, src, n, method, path):
    socks, answers, statuses, closed = [], 0, set(), 0
    for _ in range(n):
        s = connect(host, port, src)
        s.sendall(("%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n"
                   "Content-Type: application/json\r\n\r\n" % (method, path)).encode())
        socks.append(s)
    for s in socks:
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    closed += 1
                    break
                data += chunk
                if len(data) > 1 << 20:
                    break
        except (socket.timeout, ConnectionResetError):
            pass
        if data.startswith(b"HTTP/1.1 "):
            answers += 1
            statuses.add(data[9:12].decode())
        s.close()
    print("answered=%d status=%s closed=%d" % (answers, ",".join(sorted(statuses)) or "-", closed))


def main():
    mode, host, port, src = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if mode == "slowloris":
        slowloris(host, port, src, int(sys.argv[5]), int(sys.argv[6]))
    elif mode == "flood":
        flood(host, port, src, int(sys.argv[5]), sys.argv[6], sys.argv[7])
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
