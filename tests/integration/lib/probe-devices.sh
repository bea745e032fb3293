# Virtual devices for the probe tests and bench, built from real Debian daemons inside network
# namespaces. Source this file, then: dev_net NAME; dev_weak | dev_hardened; ...; dev_cleanup.
# The prober runs in namespace $CLI (10.77.N.1), the device in $DEV (10.77.N.2); nothing is
# addressed outside them. Needs root.

. "$JCS_SRC/tests/integration/lib/wait.sh"

dev_need() {
	for b in "$@"; do
		command -v "$b" >/dev/null 2>&1 || { echo "SKIP-ERROR: $b not installed (scripts/debian-packages.txt)"; exit 1; }
	done
}

# dev_net TAG SUBNET: namespaces jcs-probe-TAG-PID-c / -d, veth pair, 10.77.SUBNET.1 <-> .2
dev_net() {
	[ "$(id -u)" = 0 ] || { echo "FAIL: needs root (network namespaces)"; exit 1; }
	# the PID keeps two checkouts running the same test (make check in another tree) apart
	CLI=jcs-probe-$1-$$-c
	DEV=jcs-probe-$1-$$-d
	DEV_IP=10.77.$2.2
	CLI_IP=10.77.$2.1
	DEV_TMP=$(mktemp -d /tmp/jcs-probe-$1.XXXXXX)
	chmod 755 "$DEV_TMP"
	DEV_PIDS=""
	ip netns del "$CLI" 2>/dev/null || true
	ip netns del "$DEV" 2>/dev/null || true
	ip netns add "$CLI"
	ip netns add "$DEV"
	ip link add "jcs$1c" netns "$CLI" type veth peer name "jcs$1d" netns "$DEV"
	ip -n "$CLI" addr add "$CLI_IP/24" dev "jcs$1c"
	ip -n "$DEV" addr add "$DEV_IP/24" dev "jcs$1d"
	for ns in "$CLI" "$DEV"; do ip -n "$ns" link set lo up; done
	ip -n "$CLI" link set "jcs$1c" up
	ip -n "$DEV" link set "jcs$1d" up
}

# dev_run CMD...: start a daemon inside the device namespace (its own mount namespace, so
# the bind mounts of dev_accounts stay there)
dev_run() {
	ip netns exec "$DEV" sh -c "$DEV_MOUNTS exec $*" >>"$DEV_TMP/daemons.log" 2>&1 &
	DEV_PIDS="$DEV_PIDS $!"
}

# dev_accounts USER PASS: a passwd/shadow pair bind-mounted over /etc inside the device only
dev_accounts() {
	h=$(openssl passwd -6 "$2")
	printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:4242:4242:%s:/tmp:/bin/sh\n' "$1" "$1" >"$DEV_TMP/passwd"
	printf 'root:*:19000:0:99999:7:::\n%s:%s:19000:0:99999:7:::\n' "$1" "$h" >"$DEV_TMP/shadow"
	chmod 644 "$DEV_TMP/passwd"
	chmod 600 "$DEV_TMP/shadow"
	DEV_MOUNTS="mount --bind $DEV_TMP/passwd /etc/passwd; mount --bind $DEV_TMP/shadow /etc/shadow;"
}

# the device listens on TCP port $1
dev_listens() {
	ip netns exec "$DEV" ss -ltn "sport = :$1" | grep -q LISTEN
}

# wait (bounded) until the device listens on TCP port $1
dev_wait_port() {
	wait_until 30 dev_listens "$1" || { echo "FAIL: device port $1 did not come up"; cat "$DEV_TMP/daemons.log"; exit 1; }
}

# The weak device: busybox telnetd + login and dropbear SSH (Mirai-list password), lighttpd
# basic auth admin/admin, mosquitto anonymous, vsftpd anonymous.
dev_weak() {
	dev_need busybox lighttpd mosquitto vsftpd openssl dropbear dropbearkey
	DEV_MOUNTS=""
	dev_accounts support support
	printf '#!/bin/sh\nexec busybox login "$@"\n' >"$DEV_TMP/login.sh"
	chmod 755 "$DEV_TMP/login.sh"
	dev_run busybox telnetd -F -p 23 -l "$DEV_TMP/login.sh"
	dropbearkey -t ed25519 -f "$DEV_TMP/ssh_host_key" >/dev/null 2>&1
	dev_run dropbear -F -E -p 22 -r "$DEV_TMP/ssh_host_key"
	DEV_MOUNTS=""
	mkdir -p "$DEV_TMP/www" "$DEV_TMP/ftp"
	echo '<html><title>Camera</title>admin page</html>' >"$DEV_TMP/www/index.html"
	echo 'admin:admin' >"$DEV_TMP/lighttpd.users"
	cat >"$DEV_TMP/lighttpd.conf" <<CONF
server.document-root = "$DEV_TMP/www"
server.port = 80
server.pid-file = "$DEV_TMP/lighttpd.pid"
server.errorlog = "$DEV_TMP/lighttpd.err"
server.modules = ("mod_auth", "mod_authn_file")
index-file.names = ("index.html")
server.feature-flags = ("auth.delay-invalid-creds" => "disable")
auth.backend = "plain"
auth.backend.plain.userfile = "$DEV_TMP/lighttpd.users"
auth.require = ("/" => ("method" => "basic", "realm" => "device", "require" => "valid-user"))
CONF
	dev_run lighttpd -D -f "$DEV_TMP/lighttpd.conf"
	printf 'listener 1883\nallow_anonymous true\npersistence false\n' >"$DEV_TMP/mosquitto.conf"
	dev_run mosquitto -c "$DEV_TMP/mosquitto.conf"
	mkdir -p /var/run/vsftpd/empty
	cat >"$DEV_TMP/vsftpd.conf" <<CONF
listen=YES
background=NO
anonymous_enable=YES
local_enable=NO
anon_root=$DEV_TMP/ftp
secure_chroot_dir=/var/run/vsftpd/empty
pasv_min_port=40000
pasv_max_port=40010
seccomp_sandbox=NO
CONF
	dev_run vsftpd "$DEV_TMP/vsftpd.conf"
	for p in 22 23 80 1883 21; do dev_wait_port $p; done
}

# The hardened device: HTTPS only (TLS 1.2+, CRYPTREC suites only, unique password, nginx
# limit_req) and MQTT over TLS with a password file, new MQTT connections rate-limited by
# nftables. Whether the device throttles must not depend on how fast the prober runs (an ASan
# build on a loaded machine makes 4-6 attempts/s, a plain one 20/s). HTTP: a budget of 201
# requests, then one a minute. Detection and the 100 default-credential tries take ~240, so
# the last tries are throttled (retried, a minority of errors: the list still completes) and
# the brute-force series meets 429 at once, at any speed. MQTT: 10 new connections, then 3/s -
# the TLS assessment after the series needs connections again, so this one stays a rate (met
# within 30 attempts at any speed above 4.5 attempts/s; an ASan build makes about 6).
dev_hardened() {
	dev_need nginx mosquitto mosquitto_passwd nft openssl
	DEV_MOUNTS=""
	need_fixtures tls/cert_2048.crt tls/key_2048.pem
	T=$JCS_FIXTURES/tls
	mkdir -p "$DEV_TMP/www" "$DEV_TMP/nginx"
	echo '<html>device</html>' >"$DEV_TMP/www/index.html"
	printf 'operator:%s\n' "$(openssl passwd -6 'Jc5-u1q!xZ-7fQ')" >"$DEV_TMP/htpasswd"
	cat >"$DEV_TMP/nginx.conf" <<CONF
daemon off;
pid $DEV_TMP/nginx.pid;
error_log $DEV_TMP/nginx.err;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $DEV_TMP/nginx;
	limit_req_zone \$binary_remote_addr zone=login:1m rate=1r/m;
	server {
		listen 443 ssl;
		ssl_certificate $T/cert_2048.crt;
		ssl_certificate_key $T/key_2048.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384;
		root $DEV_TMP/www;
		limit_req zone=login burst=200 nodelay;
		limit_req_status 429;
		auth_basic "device";
		auth_basic_user_file $DEV_TMP/htpasswd;
	}
}
CONF
	dev_run nginx -c "$DEV_TMP/nginx.conf"
	mosquitto_passwd -c -b "$DEV_TMP/mqtt.passwd" operator 'Mq7-uniq!pw-42' 2>/dev/null
	chmod 644 "$DEV_TMP/mqtt.passwd"
	cat >"$DEV_TMP/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous false
password_file $DEV_TMP/mqtt.passwd
persistence false
listener 8883
certfile $T/cert_2048.crt
keyfile $T/key_2048.pem
tls_version tlsv1.2
ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384
CONF
	dev_run mosquitto -c "$DEV_TMP/mosquitto.conf"
	dev_firewall
	for p in 443 8883; do dev_wait_port $p; done
}

# (Re)load the hardened device's firewall: new MQTT connections rate-limited. Loading it again
# is what a power cycle does: the token bucket starts full, nothing is left to wait for.
dev_firewall() {
	ip netns exec "$DEV" nft delete table inet jcsprobe 2>/dev/null || true
	ip netns exec "$DEV" nft -f - <<NFT
table inet jcsprobe {
	chain input {
		type filter hook input priority 0;
		tcp dport 8883 ct state new limit rate over 3/second burst 10 packets reject with tcp reset
	}
}
NFT
}

dev_empty() { [ -z "$(ip netns pids "$DEV" 2>/dev/null)" ]; }

dev_cleanup() {
	for p in $DEV_PIDS; do kill "$p" 2>/dev/null || true; done
	# daemons that forked inside the namespace
	for p in $(ip netns pids "$DEV" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	wait_until 5 dev_empty || for p in $(ip netns pids "$DEV" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
	ip netns del "$CLI" 2>/dev/null || true
	ip netns del "$DEV" 2>/dev/null || true
	rm -rf "$DEV_TMP"
}
