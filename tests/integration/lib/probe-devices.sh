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
	DEV_IFACE=jcs$1d
	CLI_IP=10.77.$2.1
	DEV_TMP=$(mktemp -d /tmp/jcs-probe-$1.XXXXXX)
	chmod 755 "$DEV_TMP"
	DEV_PIDS=""
	DEV_MOUNTS=""
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

# dev_accounts USER PASS [USER PASS...]: a passwd/shadow pair bind-mounted over /etc inside
# the device only (for the daemons started after it); root has no password unless given one.
# Each call writes its own pair of files, so daemons of one device can see different accounts.
dev_accounts() {
	DEV_ACCT=$((${DEV_ACCT:-0} + 1))
	A=$DEV_TMP/accounts$DEV_ACCT
	mkdir -p "$A"
	rootpw='*'
	users=""
	shadow=""
	uid=4242
	while [ $# -ge 2 ]; do
		h=$(openssl passwd -6 "$2")
		if [ "$1" = root ]; then
			rootpw=$h
		else
			users="$users$1:x:$uid:$uid:$1:/tmp:/bin/sh\n"
			shadow="$shadow$1:$h:19000:0:99999:7:::\n"
			uid=$((uid + 1))
		fi
		shift 2
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n%b' "$users" >"$A/passwd"
	# the daemons' own users: OpenSSH's privilege separation, the FTP servers' anonymous user
	grep -E '^(sshd|ftp|nobody):' /etc/passwd >>"$A/passwd" || true
	printf 'root:%s:19000:0:99999:7:::\n%b' "$rootpw" "$shadow" >"$A/shadow"
	chmod 644 "$A/passwd"
	chmod 600 "$A/shadow"
	DEV_MOUNTS="mount --bind $A/passwd /etc/passwd; mount --bind $A/shadow /etc/shadow;"
}

# busybox telnetd + busybox login on port $1 (3 s delay after a failed login, 3 tries per
# connection), with the accounts of the last dev_accounts
dev_busybox_telnetd() {
	[ -f "$DEV_TMP/login.sh" ] || printf '#!/bin/sh\nexec busybox login "$@"\n' >"$DEV_TMP/login.sh"
	chmod 755 "$DEV_TMP/login.sh"
	dev_run busybox telnetd -F -p "$1" -l "$DEV_TMP/login.sh"
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
# basic auth admin/admin, mosquitto anonymous, vsftpd anonymous and local accounts.
dev_weak() {
	dev_need busybox lighttpd mosquitto vsftpd openssl dropbear dropbearkey
	DEV_MOUNTS=""
	dev_accounts support support
	dev_busybox_telnetd 23
	dropbearkey -t ed25519 -f "$DEV_TMP/ssh_host_key" >/dev/null 2>&1
	dev_run dropbear -F -E -p 22 -r "$DEV_TMP/ssh_host_key"
	dev_vsftpd
	DEV_MOUNTS=""
	mkdir -p "$DEV_TMP/www"
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
	for p in 22 23 80 1883 21; do dev_wait_port $p; done
}

# The hardened device: HTTPS only (TLS 1.2+, CRYPTREC suites only, unique password, nginx
# limit_req) and MQTT over TLS with a password file, new MQTT connections rate-limited by
# nftables. Whether the device throttles must not depend on how fast the prober runs (an ASan
# build on a loaded machine makes 4-6 attempts/s, a plain one 20/s). HTTP: a budget of 171
# requests, then one a minute. Detection and the 60 Mirai pairs that probe_hardened.sh tries
# take well under that, so the list completes unthrottled, and the brute-force observation
# (a 20 s window, ~100 guesses) meets 429 within it at any speed. MQTT: see dev_firewall. Both
# hold password guessing below the brute-force threshold (10 guesses a minute).
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
		limit_req zone=login burst=170 nodelay;
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

# (Re)load the hardened device's firewall: new MQTT connections limited to 6 a minute after a
# burst of 120 (room for the TLS assessment and the default-credential list), which holds
# password guessing below the brute-force threshold. Loading it again is what a power cycle
# does: the token bucket starts full, nothing is left to wait for.
dev_firewall() {
	ip netns exec "$DEV" nft delete table inet jcsprobe 2>/dev/null || true
	ip netns exec "$DEV" nft -f - <<NFT
table inet jcsprobe {
	chain input {
		type filter hook input priority 0;
		tcp dport 8883 ct state new limit rate over 6/minute burst 120 packets reject with tcp reset
	}
}
NFT
}

# vsftpd on port 21 with the local accounts of dev_accounts (PAM reads the bind-mounted
# passwd/shadow; call after dev_accounts) and anonymous access to $DEV_TMP/ftp.
dev_vsftpd() {
	mkdir -p /var/run/vsftpd/empty "$DEV_TMP/ftp"
	cat >"$DEV_TMP/vsftpd.conf" <<CONF
listen=YES
background=NO
anonymous_enable=YES
local_enable=YES
anon_root=$DEV_TMP/ftp
secure_chroot_dir=/var/run/vsftpd/empty
pasv_min_port=40000
pasv_max_port=40010
seccomp_sandbox=NO
CONF
	dev_run vsftpd "$DEV_TMP/vsftpd.conf"
}

# A TLS MQTT listener on port $1 with a password file (operator + a unique password) whose
# log ($DEV_TMP/mqtt$1/log) names the client address of every refused CONNECT.
dev_mqtt_tls() {
	need_fixtures tls/cert_2048.crt tls/key_2048.pem
	T=$JCS_FIXTURES/tls
	mkdir -p "$DEV_TMP/mqtt$1"
	chmod 777 "$DEV_TMP/mqtt$1" # mosquitto drops to its own user before logging
	mosquitto_passwd -c -b "$DEV_TMP/mqtt$1/passwd" operator 'Mq7-uniq!pw-42' 2>/dev/null
	chmod 644 "$DEV_TMP/mqtt$1/passwd"
	cat >"$DEV_TMP/mqtt$1/conf" <<CONF
per_listener_settings false
allow_anonymous false
password_file $DEV_TMP/mqtt$1/passwd
persistence false
log_dest file $DEV_TMP/mqtt$1/log
log_type all
log_timestamp_format %Y-%m-%dT%H:%M:%S
listener $1
certfile $T/cert_2048.crt
keyfile $T/key_2048.pem
CONF
	# the log exists before mosquitto (running as its own user) opens it
	: >"$DEV_TMP/mqtt$1/log"
	chmod 666 "$DEV_TMP/mqtt$1/log"
	dev_run mosquitto -c "$DEV_TMP/mqtt$1/conf"
}

dev_jail_started() { grep -q "Jail 'mosquitto-auth' started" "$1" 2>/dev/null; }

# fail2ban in the device namespace, in the foreground with private socket, pid and database:
# a jail on the log of the MQTT listener at port $1 that bans a client address through
# nftables after $2 refused CONNECTs (the usual log-watcher defence, reacting within ~1 s).
dev_fail2ban_mqtt() {
	F=$DEV_TMP/f2b
	mkdir -p "$F/filter.d" "$F/action.d" "$F/run"
	cp /etc/fail2ban/action.d/nftables.conf "$F/action.d/"
	cat >"$F/fail2ban.conf" <<CONF
[Definition]
loglevel = INFO
logtarget = $F/fail2ban.log
socket = $F/run/fail2ban.sock
pidfile = $F/run/fail2ban.pid
dbfile = $F/fail2ban.sqlite3
CONF
	cat >"$F/filter.d/mosquitto-auth.conf" <<'CONF'
[Definition]
datepattern = ^%%Y-%%m-%%dT%%H:%%M:%%S:
failregex = Sending CONNACK to <HOST> \(\d, [45]\)
CONF
	cat >"$F/jail.conf" <<CONF
[mosquitto-auth]
enabled = true
filter = mosquitto-auth
logpath = $DEV_TMP/mqtt$1/log
backend = polling
maxretry = $2
findtime = 600
bantime = 600
action = nftables[type=multiport, name=mqtt, port=$1, protocol=tcp]
CONF
	dev_run fail2ban-server -f -x -c "$F"
	wait_until 30 dev_jail_started "$F/fail2ban.log" ||
		{ echo "FAIL: fail2ban did not start"; cat "$F/fail2ban.log" "$DEV_TMP/daemons.log"; exit 1; }
}

# OpenSSH on port $1: "keys" accepts public keys only, "password" password logins (accounts
# from dev_accounts).
dev_sshd() {
	mkdir -p /run/sshd "$DEV_TMP/sshd$1"
	[ -f "$DEV_TMP/sshd$1/key" ] || ssh-keygen -q -t ed25519 -N '' -f "$DEV_TMP/sshd$1/key"
	pw=no
	[ "$2" = password ] && pw=yes
	cat >"$DEV_TMP/sshd$1/conf" <<CONF
Port $1
HostKey $DEV_TMP/sshd$1/key
PidFile $DEV_TMP/sshd$1/pid
UsePAM no
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication $pw
KbdInteractiveAuthentication no
MaxStartups 100
CONF
	dev_run /usr/sbin/sshd -D -e -f "$DEV_TMP/sshd$1/conf"
}

# the device has a socket on UDP port $1
dev_listens_udp() {
	ip netns exec "$DEV" ss -lun "sport = :$1" | grep -q ":$1"
}

# wait (bounded) until the device listens on UDP port $1
dev_wait_udp() {
	wait_until 30 dev_listens_udp "$1" || { echo "FAIL: device UDP port $1 did not come up"; cat "$DEV_TMP/daemons.log"; exit 1; }
}

# net-snmp's snmpd on udp/161: "communities" answers v1/v2c to the read community public and
# the write community private; "v3" knows only an SNMPv3 user (authPriv) and no community.
dev_snmpd() {
	mkdir -p "$DEV_TMP/snmp-$1"
	if [ "$1" = communities ]; then
		printf 'agentAddress udp:161\nrocommunity public\nrwcommunity private\nsysDescr jcs-test-agent\n'
	else
		printf 'agentAddress udp:161\ncreateUser jcsv3 SHA "Snmp-v3-auth-pass" AES "Snmp-v3-priv-pass"\nrouser jcsv3 priv\nsysDescr jcs-test-agent-v3\n'
	fi >"$DEV_TMP/snmp-$1/conf"
	dev_run env SNMP_PERSISTENT_DIR="$DEV_TMP/snmp-$1" snmpd -f -Lo -C -c "$DEV_TMP/snmp-$1/conf" -p "$DEV_TMP/snmp-$1/pid"
	dev_wait_udp 161
}

# miniupnpd (nftables backend) as a UPnP IGD on tcp/5000 of the device's LAN side, with a
# WAN interface (a veth pair inside the device; no dummy driver on every kernel) whose
# public address is only declared (ext_ip: miniupnpd refuses to map behind a private one).
# "open" lets any LAN host map ports (the usual home-router default); "deny" refuses every
# mapping (a permission rule set that denies all).
dev_miniupnpd() {
	ip -n "$DEV" link show jcswan >/dev/null 2>&1 || ip -n "$DEV" link add jcswan type veth peer name jcswanp
	ip -n "$DEV" addr add 192.0.2.1/24 dev jcswan 2>/dev/null || true
	ip -n "$DEV" link set jcswan up
	ip -n "$DEV" link set jcswanp up
	ip netns exec "$DEV" nft delete table inet filter 2>/dev/null || true
	ip netns exec "$DEV" nft -f - <<NFT
table inet filter {
	chain forward { type filter hook forward priority 0; policy drop; jump miniupnpd; }
	chain miniupnpd { }
	chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
	chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
	chain prerouting_miniupnpd { }
	chain postrouting_miniupnpd { }
}
NFT
	mkdir -p "$DEV_TMP/upnp"
	cat >"$DEV_TMP/upnp/conf" <<CONF
ext_ifname=jcswan
ext_ip=11.22.33.44
listening_ip=$DEV_IFACE
port=5000
enable_natpmp=no
enable_upnp=yes
secure_mode=no
system_uptime=yes
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
CONF
	if [ "$1" = open ]; then
		echo "allow 1024-65535 0.0.0.0/0 1024-65535" >>"$DEV_TMP/upnp/conf"
	fi
	echo "deny 0-65535 0.0.0.0/0 0-65535" >>"$DEV_TMP/upnp/conf"
	dev_run miniupnpd -d -f "$DEV_TMP/upnp/conf" -P "$DEV_TMP/upnp/pid"
	dev_wait_port 5000
}

# stop the device's daemons named $1 (a "reconfiguration"), bounded
dev_stop() {
	for p in $(ip netns pids "$DEV"); do
		if tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | grep -q "$1"; then
			kill "$p" 2>/dev/null || true
			wait_gone 10 "$p" || { echo "FAIL: $1 ($p) did not stop"; exit 1; }
		fi
	done
}

# VLC's RTSP server (stream output rtp with an RTSP SDP) on port $1, stream path /stream,
# streaming a generated WAV file in a loop; with $2:$3 it asks for that user and password.
# VLC refuses to run as root: it runs as nobody.
dev_vlc() {
	[ -f "$DEV_TMP/tone.wav" ] || python3 -c "
import wave
w = wave.open('$DEV_TMP/tone.wav', 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b'\0\0' * 8000 * 20); w.close()"
	chmod 644 "$DEV_TMP/tone.wav"
	auth=""
	[ $# -ge 3 ] && auth="--sout-rtsp-user $2 --sout-rtsp-pwd $3"
	dev_run runuser -u nobody -- cvlc -I dummy --no-video --loop --sout-keep $auth "$DEV_TMP/tone.wav" \
		--sout "'#rtp{sdp=rtsp://:$1/stream}'"
	dev_wait_port "$1"
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
