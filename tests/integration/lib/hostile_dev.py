"""Hostile TCP devices for the probe tests: python3 hostile_dev.py MODE ADDR PORT LOG SECONDS
  slow-login   greets with 'login: ', answers every line after 5 s (a slow telnet device)
  accept-close accepts and closes at once (writes to it raise SIGPIPE in a careless client)
Appends 'listening' and then one 'conn N' line per accepted connection to LOG; exits after
SECONDS (a bound, the test kills it earlier)."""
import socket
import sys
import threading
import time

mode, addr, port, log, life = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(128)
s.settimeout(0.5)


def note(line):
    with open(log, "a") as f:
        f.write(line + "\n")


def slow(c):
    try:
        c.sendall(b"login: ")
        while c.recv(100):
            time.sleep(5)
            c.sendall(b"Password: ")
    except OSError:
        pass
    c.close()


note("listening")
n = 0
end = time.time() + life
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    n += 1
    note("conn %d" % n)
    if mode == "accept-close":
        c.close()
    else:
        threading.Thread(target=slow, args=(c,), daemon=True).start()
