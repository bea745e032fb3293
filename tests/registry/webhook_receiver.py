#!/usr/bin/env python3
"""The monitor test's webhook receiver: accepts POSTs on 127.0.0.1 (ephemeral port, written
to argv[1]), verifies X-JCStar-Signature = sha256=HMAC-SHA256(secret, timestamp "." body)
with the secret read from argv[2] at each request, and appends one line per delivery to
argv[3]: "OK <event> <reg_no> <vuln>" or "BAD <why>". Answers 500 to the first request when
argv[4] is "fail-first" (the sender must retry). Stops after 200 requests."""
import hashlib, hmac, json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

port_file, secret_file, log_file = sys.argv[1:4]
fail_first = len(sys.argv) > 4 and sys.argv[4] == "fail-first"
seen = {"n": 0}


class H(BaseHTTPRequestHandler):
    def do_POST(self):
        seen["n"] += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ts = self.headers.get("X-JCStar-Timestamp", "")
        sig = self.headers.get("X-JCStar-Signature", "")
        try:
            secret = open(secret_file).read().strip().encode()
        except OSError:
            secret = b""
        want = "sha256=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        if fail_first and seen["n"] == 1:
            line = "RETRY first attempt refused"
            code = 500
        elif not secret or not hmac.compare_digest(want, sig):
            line, code = "BAD signature", 401
        elif not ts.isdigit() or abs(time.time() - int(ts)) > 300:
            line, code = "BAD timestamp", 401
        else:
            ev = json.loads(body)
            line, code = "OK %s %s %s" % (ev["event"], ev["reg_no"], ev["vuln"]), 204
        with open(log_file, "a") as f:
            f.write(line + "\n")
        self.send_response(code)
        self.end_headers()

    def log_message(self, *a):
        pass


srv = HTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
for _ in range(200):
    srv.handle_request()
