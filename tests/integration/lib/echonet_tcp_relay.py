#!/usr/bin/python3
"""ECHONET Lite over TCP for tests/integration/probe_echonet.sh: the echonet-lite npm node
speaks UDP only, so this relay carries each frame that arrives on a TCP connection to the node
(udp/3610 of NODE_IP) and each datagram the node sends back into the connections. It never
answers by itself and changes no byte.
  echonet_tcp_relay.py TCP_PORT NODE_IP
The relay's UDP socket is 127.0.0.1:3610 (nodes answer to port 3610 of the sender); its bind is
more specific than the node's 0.0.0.0:3610, so the answers reach it."""
import socket
import sys
import threading

tcp_port, node_ip = int(sys.argv[1]), sys.argv[2]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
udp.bind(('127.0.0.1', 3610))
conns = []
lock = threading.Lock()


def frame_len(b):
    """Length of the frame at the start of b, or 0 while it is incomplete."""
    if len(b) < 12:
        return 0
    off, opc = 12, b[11]
    for _ in range(opc):
        if off + 2 > len(b):
            return 0
        off += 2 + b[off + 1]
    return off if off <= len(b) else 0


def from_node():
    while True:
        data, _ = udp.recvfrom(2048)
        with lock:
            for c in conns:
                try:
                    c.sendall(data)
                except OSError:
                    pass


def client(c):
    buf = b''
    with lock:
        conns.append(c)
    try:
        while True:
            d = c.recv(4096)
            if not d:
                break
            buf += d
            while (n := frame_len(buf)):
                udp.sendto(buf[:n], (node_ip, 3610))
                buf = buf[n:]
    except OSError:
        pass
    with lock:
        conns.remove(c)
    c.close()


threading.Thread(target=from_node, daemon=True).start()
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('0.0.0.0', tcp_port))
srv.listen(16)
while True:
    conn, _ = srv.accept()
    threading.Thread(target=client, args=(conn,), daemon=True).start()
