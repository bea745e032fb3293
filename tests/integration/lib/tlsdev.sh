# Shared by tests/integration/tls.sh and bench/tls.sh: a TLS "device" made of real nginx
# servers in a network namespace. Source it, then call tlsdev_up; tlsdev_down on exit.
#   jcs-tlsc-PID  the client side (run tools with: ip netns exec "$NSC" ...)
#   jcs-tlsd-PID  the device, $DEV = 10.78.3.2, joined to the client by a veth pair
# Servers on $DEV: 4433 weak, 4434 hardened, 4435 fixture certificate, 4436 self-signed.
# Needs: root, nginx, openssl, $JCS_FIXTURES, and $tmp (a private directory).

. "$JCS_SRC/tests/integration/lib/wait.sh"
NSC=jcs-tlsc-$$
NSD=jcs-tlsd-$$
DEV=10.78.3.2
tlsdev_down() {
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
	ip netns del "$NSC" 2>/dev/null || true
	ip netns del "$NSD" 2>/dev/null || true
}

tlsdev_up() {
need_fixtures tls/dhparams_1024.pem tls/cert_2048.crt tls/key_2048.pem
# --- network: client ns <-> device ns ---
ip netns add "$NSC"
ip netns add "$NSD"
ip -n "$NSC" link add vc type veth peer name vd netns "$NSD"
ip -n "$NSC" addr add 10.78.3.1/24 dev vc
ip -n "$NSD" addr add $DEV/24 dev vd
for ns in "$NSC" "$NSD"; do ip -n "$ns" link set lo up; done
ip -n "$NSC" link set vc up
ip -n "$NSD" link set vd up

# --- certificates (generated here; fixture cert for one server) ---
cd "$tmp"
q() { "$@" >/dev/null 2>&1; }
# weak: RSA 1024, SHA-1, expired (Jan 2020), self-signed
cat > ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = $tmp/index.txt
new_certs_dir = $tmp
serial = $tmp/serial
policy = p
default_md = sha1
copy_extensions = copy
[p]
commonName = supplied
[req]
distinguished_name = dn
[dn]
CNF
: > index.txt; echo 01 > serial
q openssl req -new -newkey rsa:1024 -nodes -keyout weak.key -out weak.csr -subj /CN=weak.device.test -sha1
q openssl ca -batch -config ca.cnf -selfsign -keyfile weak.key -in weak.csr -out weak.crt \
	-startdate 20200101000000Z -enddate 20200201000000Z -md sha1
# hardened: test CA (P-256) signs a P-256 leaf for device.test, valid now
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 30 \
	-subj /CN=jcs-test-ca -sha256
q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout good.key -out good.csr \
	-subj /CN=device.test -addext "subjectAltName=DNS:device.test"
q openssl x509 -req -in good.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -sha256 -copy_extensions copy -out good.crt
# self-signed but otherwise sound: RSA 2048, SHA-256, valid now
q openssl req -x509 -newkey rsa:2048 -nodes -keyout ss.key -out ss.crt -days 30 -subj /CN=selfsigned.test -sha256
for f in weak.crt good.crt ss.crt; do [ -s $f ] || { echo "tls.sh: could not make $f" >&2; exit 1; }; done

cat > nginx.conf <<CONF
daemon on;
user root;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err warn;
worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $tmp; proxy_temp_path $tmp; fastcgi_temp_path $tmp; uwsgi_temp_path $tmp; scgi_temp_path $tmp;
  # (a) weak: TLS 1.0/1.1, CBC-SHA1, NULL, RSA key transport, DHE with a 1024-bit group, bad cert
  server {
    listen $DEV:4433 ssl;
    ssl_certificate $tmp/weak.crt; ssl_certificate_key $tmp/weak.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers "AES128-SHA:NULL-SHA:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0";
    ssl_dhparam $JCS_FIXTURES/tls/dhparams_1024.pem;
    location / { return 200 "weak\n"; }
  }
  # (b) hardened: TLS 1.2+, ECDHE + AEAD only, P-256 certificate from a CA, valid
  server {
    listen $DEV:4434 ssl;
    ssl_certificate $tmp/good.crt; ssl_certificate_key $tmp/good.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    location / { return 200 "hardened\n"; }
  }
  # (c) third-party fixture certificate (RSA 2048 from the sslscan test CA), TLS 1.2 only
  server {
    listen $DEV:4435 ssl;
    ssl_certificate $JCS_FIXTURES/tls/cert_2048.crt; ssl_certificate_key $JCS_FIXTURES/tls/key_2048.pem;
    ssl_protocols TLSv1.2;
    ssl_ciphers "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA256";
    location / { return 200 "fixture\n"; }
  }
  # (d) self-signed, otherwise sound
  server {
    listen $DEV:4436 ssl;
    ssl_certificate $tmp/ss.crt; ssl_certificate_key $tmp/ss.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers "ECDHE-RSA-AES128-GCM-SHA256";
    location / { return 200 "selfsigned\n"; }
  }
}
CONF
ip netns exec "$NSD" nginx -c "$tmp/nginx.conf" || { cat "$tmp/nginx.err" >&2; exit 1; }
}
