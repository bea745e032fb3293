#!/bin/sh
# HTML form logins (S1.1-02) on a real web server: lighttpd with a CGI login page, one device
# at a time in a namespace, each with its planted truth:
#  - the form accepts admin:admin (a page without a password field follows): fail, confirmed;
#  - the clean twin with a strong password: every pair answered with the form again: pass;
#  - every login redirected back to the form (redirects followed, cookies kept): refused, pass;
#  - the right password opens an admin page that has a change-password form: not the login
#    form again, so never counted as refused: not a pass;
#  - a lockout page served with status 200: throttled, never counted as "refused": not a pass.
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net f 6
trap dev_cleanup EXIT INT TERM
dev_need lighttpd
DEV_MOUNTS=""
. "$JCS_SRC/tests/integration/lib/expect.sh"

mkdir -p "$DEV_TMP/www"
# the device's login page: its behaviour is read from $DEV_TMP/mode (ok, redirect, lockout)
cat >"$DEV_TMP/www/index.cgi" <<CGI
#!/bin/sh
mode=\$(cat "$DEV_TMP/mode")
form='<html><form method="post" action="/index.cgi">User <input type="text" name="user"> Password <input type="password" name="pass"></form></html>'
if [ "\$REQUEST_METHOD" != POST ]; then
	printf 'Content-Type: text/html\r\n\r\n%s\n' "\$form"; exit 0
fi
body=\$(head -c "\${CONTENT_LENGTH:-0}")
case \$mode in
redirect) printf 'Status: 302 Found\r\nLocation: /index.cgi\r\n\r\n' ;;
changepw) if [ "\$body" = "user=admin&pass=admin" ]; then
		printf 'Content-Type: text/html\r\n\r\n<html>Admin. Change password: <input type="password" name="old"> <input type="password" name="new"></html>\n'
	else
		printf 'Content-Type: text/html\r\n\r\n<html>Wrong user name or password.%s</html>\n' "\$form"
	fi ;;
lockout) printf 'Content-Type: text/html\r\n\r\n<html>Account locked: too many failed logins.</html>\n' ;;
*)	if [ "\$body" = "user=admin&pass=\$mode" ]; then
		printf 'Content-Type: text/html\r\n\r\n<html>Welcome, administrator. <a href="/logout">Log out</a></html>\n'
	else
		printf 'Content-Type: text/html\r\n\r\n<html>Wrong user name or password.%s</html>\n' "\$form"
	fi ;;
esac
CGI
chmod 755 "$DEV_TMP/www/index.cgi"
cat >"$DEV_TMP/lighttpd.conf" <<CONF
server.document-root = "$DEV_TMP/www"
server.port = 80
server.pid-file = "$DEV_TMP/lighttpd.pid"
server.errorlog = "$DEV_TMP/lighttpd.err"
server.modules = ("mod_cgi")
index-file.names = ("index.cgi")
cgi.assign = (".cgi" => "/bin/sh")
CONF
printf 'root:xc3511\nadmin:admin\nuser:user\nadmin:1234\n' >"$DEV_TMP/creds.txt"
echo admin >"$DEV_TMP/mode"
dev_run lighttpd -D -f "$DEV_TMP/lighttpd.conf"
dev_wait_port 80

probe() {
	EV=$DEV_TMP/$1.json
	ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 80 --creds "$DEV_TMP/creds.txt" --bf-window 2 --budget 40 \
		-o "$EV" >"$DEV_TMP/$1.txt" 2>&1 || true
	[ -s "$EV" ] || { fail "$1: no evidence written: $(tail -3 "$DEV_TMP/$1.txt")"; return 1; }
}
LOC="tcp/80 (http)"

# 1. planted: admin:admin opens the admin page
probe planted
expect probe.auth.default-credential "$LOC" fail '.accepted.user == "admin" and .accepted.password == "admin"'

# 2. clean twin: a strong password; every pair gets the form again
echo 'S3cure-Pass!x' >"$DEV_TMP/mode"
probe clean
expect probe.auth.default-credential "$LOC" pass '.tried == .list_size and .errors == 0'

# 3. every POST redirected back to the form: followed, the form again, refused
echo redirect >"$DEV_TMP/mode"
probe redirect
expect probe.auth.default-credential "$LOC" pass '.tried == .list_size and .errors == 0'

# 3b. admin:admin opens a page with a change-password form: not the login form again
echo changepw >"$DEV_TMP/mode"
probe changepw
jq -e '[.findings[] | select(.id == "probe.auth.default-credential" and .result == "pass")] | length == 0' \
	"$EV" >/dev/null || fail "change-password page: default credentials passed although admin:admin got in"

# 4. a lockout page with status 200
echo lockout >"$DEV_TMP/mode"
probe lockout
jq -e '[.findings[] | select(.id == "probe.auth.default-credential" and .result == "pass")] | length == 0' \
	"$EV" >/dev/null || fail "lockout page: default credentials passed although the device said 'locked'"
expect probe.auth.default-credential "$LOC" inconclusive
finish
