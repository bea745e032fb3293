#!/usr/bin/env python3
"""Rebuild data/creds/passwords.txt (the bundled default-password list) from the credential
lists in $JCS_FIXTURES/creds (sources and licences: data/creds/README.md).
Order = priority: Mirai, telnet/ssh/ftp default pairs, routersploit defaults and passwords,
then the SecLists vendor CSV. Duplicates and empty passwords are dropped (empty passwords are
a finding of their own)."""
import csv
import os
import sys

base = os.path.join(os.environ.get("JCS_FIXTURES", "tests/fixtures"), "creds")
out, seen = [], set()


def add(p):
    p = p.rstrip("\r\n")
    if p and p not in seen and "\n" not in p:
        seen.add(p)
        out.append(p)


for line in open(os.path.join(base, "seclists/mirai-botnet.txt"), encoding="utf-8"):
    parts = line.rstrip("\n").split(" ", 1)
    if len(parts) == 2 and parts[1] != "(none)":
        add(parts[1])
for name in ("seclists/telnet-betterdefaultpasslist.txt", "seclists/ssh-betterdefaultpasslist.txt",
             "seclists/ftp-betterdefaultpasslist.txt", "routersploit/defaults.txt"):
    for line in open(os.path.join(base, name), encoding="utf-8", newline=""):
        line = line.rstrip("\r\n")
        if ":" in line:
            add(line.split(":", 1)[1])
for line in open(os.path.join(base, "routersploit/passwords.txt"), encoding="utf-8"):
    add(line)
rows = csv.reader(open(os.path.join(base, "seclists/default-passwords.csv"), encoding="utf-8"))
next(rows)
for row in rows:
    if len(row) >= 3 and not row[2].startswith("<"):
        add(row[2])
sys.stdout.write("".join(p + "\n" for p in out))
