#!/bin/sh
# Registry bad input: oversized bodies, malformed JSON/multipart/forms, path tricks, SQL
# metacharacters and invalid UTF-8 must get a 4xx answer, never a 5xx or a crash.
. "$JCS_SRC/tests/registry/lib.sh"
start_server "sqlite:$REG_TMP/reg.db" || exit 1
T_V=$(new_user acme vendor "Acme") || exit 1
api POST /api/v1/applications "$T_V" "$(app_json Router 1 RT-1)"
APP=$(jb .id)

# raw METHOD PATH [curl args...]: record the status; must be 4xx
raw4xx() {
	_d=$1; shift
	_m=$1 _p=$2; shift 2
	CODE=$(curl -s --path-as-is -o "$BODY" -w '%{http_code}' -X "$_m" "$@" "$URL$_p")
	case "$CODE" in
	4??) ok ;;
	*) bad "$_d: $_m $_p got $CODE $(head -c 200 "$BODY")" ;;
	esac
}
AUTH="Authorization: Bearer $T_V"
J='Content-Type: application/json'

# oversized bodies: announced and streamed (chunked, no Content-Length)
head -c 6000000 /dev/zero | tr '\0' 'a' >"$REG_TMP/big"
raw4xx "oversized upload" POST "/api/v1/applications/$APP/attachments" -H "$AUTH" -F "kind=form" -F "file=@$REG_TMP/big"
check "oversized upload is 413" test "$CODE" = 413
raw4xx "oversized JSON" POST /api/v1/applications -H "$AUTH" -H "$J" --data-binary "@$REG_TMP/big"
raw4xx "oversized chunked JSON" POST /api/v1/applications -H "$AUTH" -H "$J" -H "Transfer-Encoding: chunked" --data-binary "@$REG_TMP/big"
head -c 300000 /dev/zero | tr '\0' 'a' >"$REG_TMP/mid"
raw4xx "JSON over the 256 KiB cap" POST /api/v1/applications -H "$AUTH" -H "$J" --data-binary "@$REG_TMP/mid"

# malformed JSON
for body in '' '{' '[]' '"x"' '{"a":1,"a":2}' '{"product":1}' "$(printf '{"product":"\\u0000"}')" \
	'{"level":1e999}' "$(printf '%0500d' 0 | sed 's/0/[/g')" '{"models":[1,2]}' 'nul'; do
	raw4xx "malformed JSON '$body'" POST /api/v1/applications -H "$AUTH" -H "$J" --data-binary "$body"
done
raw4xx "transition with malformed JSON" POST "/api/v1/applications/$APP/transitions" -H "$AUTH" -H "$J" --data-binary '{"action":'
raw4xx "unknown action" POST "/api/v1/applications/$APP/transitions" -H "$AUTH" -H "$J" --data-binary '{"action":"drop table"}'

# invalid UTF-8 in JSON, in fields, in query strings, in paths
printf '{"product":"\377\376","category":"c","level":1,"models":["m"],"firmware":"1","support_end":"2030-01-01","contact":"c"}' >"$REG_TMP/bad8"
raw4xx "invalid UTF-8 JSON" POST /api/v1/applications -H "$AUTH" -H "$J" --data-binary "@$REG_TMP/bad8"
raw4xx "overlong UTF-8 in a JSON escape" POST /api/v1/applications -H "$AUTH" -H "$J" --data-binary '{"product":"\ud800"}'
raw4xx "invalid UTF-8 product path" GET "/products/%ff%fe"
raw4xx "control characters in name" POST /api/v1/users -H "Authorization: Bearer $ADMIN" -H "$J" --data-binary '{"name":"a\nb","role":"vendor","org":"x"}'

# malformed multipart
raw4xx "multipart without boundary" POST "/api/v1/applications/$APP/attachments" -H "$AUTH" -H 'Content-Type: multipart/form-data' --data-binary 'x'
raw4xx "multipart with wrong boundary" POST "/api/v1/applications/$APP/attachments" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary=abc' --data-binary "$(printf -- '--xyz\r\n\r\nx\r\n--xyz--\r\n')"
raw4xx "multipart unterminated" POST "/api/v1/applications/$APP/attachments" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary=abc' --data-binary "$(printf -- '--abc\r\nContent-Disposition: form-data; name="kind"\r\n\r\nform')"
raw4xx "multipart no disposition" POST "/api/v1/applications/$APP/attachments" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary=abc' --data-binary "$(printf -- '--abc\r\nX: y\r\n\r\nform\r\n--abc--\r\n')"
raw4xx "multipart path in file name" POST "/api/v1/applications/$APP/attachments" -H "$AUTH" -F "kind=form" -F "file=@$REG_TMP/bad8;filename=../../etc/passwd"
raw4xx "multipart bad kind" POST "/api/v1/applications/$APP/attachments" -H "$AUTH" -F "kind=exe" -F "file=@$REG_TMP/bad8"
raw4xx "JSON to an upload route" POST "/api/v1/applications/$APP/attachments" -H "$AUTH" -H "$J" --data-binary '{}'
raw4xx "malformed procurement CSV" POST /api/v1/procurement -F importance=low -F "file=@$REG_TMP/bad8;type=text/csv" -F 'x=1' -H 'X: y' --form-string 'models="unterminated'
printf '"unterminated\n' >"$REG_TMP/bad.csv"
raw4xx "procurement CSV unterminated quote" POST /api/v1/procurement -F importance=low -F "file=@$REG_TMP/bad.csv"

# malformed forms (web)
raw4xx "form with bad escape" POST /login -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'name=%zz&password=x'
raw4xx "form with %00" POST /login -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'name=a%00b&password=x'
raw4xx "login with no form" POST /login --data-binary 'x'

# path tricks
for p in '/../../etc/passwd' '/products/../../etc/passwd' '/products/%2e%2e/%2e%2e/etc/passwd' \
	'/api/v1/applications/01' '/api/v1/applications/-1' '/api/v1/applications/99999999999999999999' \
	'/api/v1/applications/1/attachments/0' '/api//v1/products' '/products/JCS-1-2026-00000x' \
	'/products/JCS-9-2026-000001' "/api/v1/log/entries/-1" '/api/v1/log/inclusion?index=abc' \
	"/$(printf '%02000d' 0)" '/a/b/c/d/e/f/g/h/i/j/k' '/products/;DROP' '/api/v1/products/x/label'; do
	raw4xx "path $p" GET "$p"
done
raw4xx "unknown method" DELETE /api/v1/products
raw4xx "attachment of another application" GET "/api/v1/applications/$APP/attachments/1" -H "Authorization: Bearer $ADMIN"

# SQL metacharacters: treated as data
for q in "'" "';DROP TABLE registrations;--" '%' '_' '\' '" OR 1=1 --' ; do
	CODE=$(curl -s -o "$BODY" -w '%{http_code}' -G --data-urlencode "q=$q" --data-urlencode "vendor=$q" "$URL/api/v1/products")
	check "search for $q is 200 with no rows" test "$CODE:$(jb .total)" = "200:0"
done
api POST /api/v1/users "$ADMIN" "{\"name\":\"x' OR '1'='1\",\"role\":\"vendor\",\"org\":\"x\"}"
check "SQL in an account name is 400" test "$CODE" = 400
api POST /api/v1/applications "$T_V" "$(app_json "Robert'); DROP TABLE applications;--" 1 "M'1")"
check "SQL in product fields is stored as text" test "$CODE:$(jb .product)" = "201:Robert'); DROP TABLE applications;--"
api POST /api/v1/procurement "" "{\"importance\":\"low\",\"models\":[\"' OR 1=1 --\"]}"
check "SQL in procurement models is data" test "$CODE:$(jb '.results[0].labelled')" = "200:false"

# CSRF and the login rate limit (web)
api POST /api/v1/users "$ADMIN" '{"name":"webv","role":"vendor","org":"Web","password":"correct-horse"}'
JAR="$REG_TMP/jar"
CODE=$(curl -s -o /dev/null -w '%{http_code}' --data 'name=webv&password=correct-horse' "$URL/login")
check "sign-in without the CSRF cookie and field is 403" test "$CODE" = 403
curl -s -c "$JAR.pre" -o /dev/null "$URL/login"
CODE=$(curl -s -b "$JAR.pre" -o /dev/null -w '%{http_code}' --data "csrf=$(printf '%064d' 0)&name=webv&password=correct-horse" "$URL/login")
check "sign-in with a CSRF field that is not the cookie's is 403" test "$CODE" = 403
web_login webv correct-horse "$JAR"
check "login sets a session" test "$CODE" = 303
raw4xx "session POST without CSRF token" POST /apps -b "$JAR" --data 'product=x'
check "missing CSRF is 403" test "$CODE" = 403
raw4xx "session POST with a wrong CSRF token" POST /apps -b "$JAR" --data 'csrf=00&product=x'
CSRF=$(curl -s -b "$JAR" "$URL/apps/new" | sed -n 's/.*name=csrf value="\([0-9a-f]*\)".*/\1/p' | head -1)
raw4xx "session POST with a CSRF token one character off" POST /apps -b "$JAR" --data "csrf=$(echo "$CSRF" | sed 's/.$/x/')&product=x"
CODE=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' --data "csrf=$CSRF&product=P&category=c&level=1&models=M1&firmware=1&support_end=2030-01-01&contact=c" "$URL/apps")
check "session POST with the CSRF token works" test "$CODE" = 303

# sign-in throttling is per client address: 127.0.0.2 fails 5 times and is paused, even for
# the right password; the account still works from 127.0.0.1 (nobody can lock it out)
for i in 1 2 3 4 5; do
	web_login webv wrong-password "$REG_TMP/jar2" --interface 127.0.0.2
	check "wrong password $i is 401" test "$CODE" = 401
done
web_login webv correct-horse "$REG_TMP/jar2" --interface 127.0.0.2
check "paused after 5 failures: even the right password is 429 from that client" test "$CODE" = 429
web_login webv correct-horse "$REG_TMP/jar3"
check "the account is not locked for other clients" test "$CODE" = 303
# unknown names get the same answer as a wrong password
web_login no-such-user wrong-password "$REG_TMP/jar4"
check "unknown user: same answer as a wrong password" sh -c "test '$CODE' = 401 && grep -q 'wrong name or password' '$BODY'"

# accounts: a non-string password is refused; token responses are not stored by caches
api POST /api/v1/users "$ADMIN" '{"name":"np","role":"vendor","org":"x","password":12345678}'
check "non-string password is 400" test "$CODE" = 400
api GET /api/v1/users "$ADMIN"
check "no account was created from it" test "$(jb '[.[] | select(.name == "np")] | length')" = 0
check "token responses carry Cache-Control: no-store" sh -c "curl -s -D - -o /dev/null -X POST -H 'Authorization: Bearer $ADMIN' -H 'Content-Type: application/json' --data '{\"name\":\"tk\",\"role\":\"vendor\",\"org\":\"x\"}' '$URL/api/v1/users' | grep -qi '^Cache-Control: no-store'"
T_TK=$(new_user tk2 vendor "Tk") || exit 1
api POST /api/v1/users/tk2/token "$T_TK" '{"action":"new"}'
NEW_TK=$(jb .token)
check "the account rotates its own token" test "$CODE:${#NEW_TK}" = "200:64"
api GET /api/v1/me "$T_TK"
check "the old token stops working" test "$CODE" = 401
api POST /api/v1/users/tk2/token "$ADMIN" '{"action":"revoke"}'
api GET /api/v1/me "$NEW_TK"
check "a revoked token stops working" test "$CODE" = 401
api POST /api/v1/users/webv/status "$T_V" '{"disabled":true}'
check "only admins disable accounts" test "$CODE" = 403
api POST /api/v1/users/acme/status "$ADMIN" '{"disabled":true}'
api GET /api/v1/me "$T_V"
check "a disabled account's token is refused" test "$CODE" = 401
api POST /api/v1/users/acme/status "$ADMIN" '{"disabled":false}'
api GET /api/v1/me "$T_V"
check "enabled again, the token works" test "$CODE" = 200
api POST /api/v1/users/admin/status "$ADMIN" '{"disabled":true}'
check "an admin cannot disable their own account" test "$CODE" = 409
# the admin web page: disable an account with the session's CSRF token
api POST /api/v1/users "$ADMIN" '{"name":"root2","role":"admin","org":"ops","password":"root-password"}'
web_login root2 root-password "$REG_TMP/jara"
CSRF=$(curl -s -b "$REG_TMP/jara" "$URL/admin/users" | sed -n 's/.*name=csrf value="\([0-9a-f]*\)".*/\1/p' | head -1)
CODE=$(curl -s -b "$REG_TMP/jara" -o /dev/null -w '%{http_code}' --data "csrf=$CSRF&action=disable" "$URL/admin/users/acme")
check "admin page disables an account" test "$CODE:$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T_V" "$URL/api/v1/me")" = "303:401"
check "admin page lists it as disabled" sh -c "curl -s -b '$REG_TMP/jara' '$URL/admin/users' | grep -q '<td>acme</td>.*disabled'"
CODE=$(curl -s -b "$REG_TMP/jara" -o /dev/null -w '%{http_code}' --data "action=enable" "$URL/admin/users/acme")
check "admin page action without CSRF is 403" test "$CODE" = 403

check "server still alive" sh -c "curl -s -o /dev/null -w '%{http_code}' '$URL/api/v1/products' | grep -q 200"
check "no 5xx or crash: process running" kill -0 "$SRV_PID"
finish
