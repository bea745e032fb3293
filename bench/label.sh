#!/bin/sh
# Offline label verification, side by side with OpenSSL: `jcstar label verify` (parse, schema,
# canonical form, Ed25519, dates) against `openssl pkeyutl -verify` of the same signature over
# the prepared payload bytes (the bare cryptographic check, nothing else). Prints runs per
# second of each and the ratio. Usage: sh bench/label.sh build/jcstar [RUNS]
set -eu
J=${1:?usage: bench/label.sh JCSTAR [RUNS]}
case $J in /*) ;; *) J=$(pwd)/$J ;; esac
runs=${2:-300}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$J" label keygen --out k.pem --pub p.pem 2>/dev/null
"$J" label sign --key k.pem --regno JCS-1-2026-000001 --vendor "Example Devices" --product "Camera" \
	--model CAM-1 --level 1 --registry registry.example --url https://registry.example/p/JCS-1-2026-000001 -o c.json
python3 - c.json <<'PY'
import json, sys, base64
env = json.load(open(sys.argv[1], encoding="utf-8"))
open("payload.bin", "wb").write(json.dumps(env["payload"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
open("sig.bin", "wb").write(base64.b64decode(env["signature"]))
PY
now() { date +%s.%N; }
t0=$(now); i=0
while [ $i -lt "$runs" ]; do "$J" label verify c.json --key p.pem >/dev/null; i=$((i + 1)); done
t1=$(now); i=0
while [ $i -lt "$runs" ]; do openssl pkeyutl -verify -pubin -inkey p.pem -rawin -in payload.bin -sigfile sig.bin >/dev/null; i=$((i + 1)); done
t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$runs" 'BEGIN {
	j = n / (b - a); o = n / (c - b)
	printf "label verify, %d runs each (one process per check)\n", n
	printf "  jcstar label verify     %8.1f /s\n", j
	printf "  openssl pkeyutl -verify %8.1f /s\n", o
	printf "  ratio jcstar/openssl    %8.2f\n", j / o
}'
