#!/bin/sh
# Registry availability: one abusive client must not take the registry offline. Slowloris
# (more sockets than the per-client cap, a header byte a second), bodies announced to
# routes that take none, the request deadline, plus the start-up checks of --public-url.
# Clients use distinct loopback source addresses (127.0.0.2, .3) so the per-client cap of
# the attacker is not the cap of the normal client (127.0.0.1). Every loop is bounded.
. "$JCS_SRC/tests/registry/lib.sh"
command -v python3 >/dev/null || { echo "python3 missing"; exit 1; }
DOS="python3 $JCS_SRC/tests/registry/dos.py"

SERVE_ARGS="--per-client 8 --request-timeout 3" start_server "sqlite:$REG_TMP/reg.db" || exit 1
HOST=127.0.0.1
PORT=${URL##*:}
served() { curl -s -m 10 -o /dev/null -w '%{http_code}' "$URL/api/v1/products"; }

# --- slowloris: 20 sockets from one client, each trickling a header byte a second
$DOS slowloris "$HOST" "$PORT" 127.0.0.2 20 25 >"$REG_TMP/slow.out" &
SLOW=$!
# wait (bounded) until the attacker holds its connections, then a normal client asks
i=0
while [ $i -lt 100 ] && [ "$(ss -Htn state established "( sport = :$PORT )" 2>/dev/null | grep -c '127.0.0.2')" -lt 8 ]; do
	sleep 0.05
	i=$((i + 1))
done
check "slowloris holds its 8 connections" test "$(ss -Htn state established "( sport = :$PORT )" | grep -c '127.0.0.2')" -ge 8
check "a normal client is served during the slowloris attack" test "$(served)" = 200
check "the API still answers JSON during the attack" sh -c "curl -s -m 10 '$URL/api/v1/products' | jq -e '.total == 0' >/dev/null"
wait $SLOW
R=$(cat "$REG_TMP/slow.out")
check "sockets over the per-client cap are refused at once ($R)" test "$(echo "$R" | sed 's/.*refused=\([0-9]*\).*/\1/')" = 12
check "the trickling connections are closed at the request deadline ($R)" test "$(echo "$R" | sed 's/.*open=\([0-9]*\).*/\1/')" = 0
check "and none was refused beyond the cap ($R)" test "$(echo "$R" | sed 's/.*closed=\([0-9]*\).*/\1/')" = 8
check "served after the attack" test "$(served)" = 200

# --- body flood: 8 connections announce 4 MiB bodies to GET / and send nothing
R=$($DOS flood "$HOST" "$PORT" 127.0.0.3 8 GET /)
check "announced bodies on GET / are refused with 413 without reading them ($R)" test "$R" = "answered=8 status=413 closed=8"
R=$($DOS flood "$HOST" "$PORT" 127.0.0.3 4 POST /api/v1/applications)
check "anonymous 4 MiB JSON body refused at once ($R)" test "$R" = "answered=4 status=413 closed=4"
R=$($DOS flood "$HOST" "$PORT" 127.0.0.3 4 POST /api/v1/applications/1/attachments)
check "anonymous upload refused before its body ($R)" test "$R" = "answered=4 status=401 closed=4"
CODE=$(curl -s -o "$BODY" -w '%{http_code}' -X GET -H 'Transfer-Encoding: chunked' --data-binary 'abc' "$URL/")
check "a chunked body on GET is refused" test "$CODE" = 413
check "served after the flood" test "$(served)" = 200

# --- the public URL
"$JCSTAR" serve --db "sqlite:$REG_TMP/x.db" --listen 0.0.0.0:0 --key "$REG_TMP/registry.key" \
	>"$REG_TMP/pub.out" 2>&1 &
P=$!
i=0
while kill -0 $P 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if kill -0 $P 2>/dev/null; then kill $P; wait $P; bad "serve on 0.0.0.0 without --public-url must refuse"; else
	wait $P
	check "non-loopback listen without --public-url is refused with a reason" sh -c "test $? -ne 0 && grep -q 'public-url' '$REG_TMP/pub.out'"
fi
"$JCSTAR" serve --db "sqlite:$REG_TMP/x.db" --listen 0.0.0.0:0 --key "$REG_TMP/registry.key" \
	--public-url http://127.0.0.1:8080 >"$REG_TMP/pub.out" 2>&1 &
P=$!
i=0
while kill -0 $P 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if kill -0 $P 2>/dev/null; then kill $P; wait $P; bad "serve on 0.0.0.0 with a loopback --public-url must refuse"; else
	check "non-loopback listen with a loopback --public-url is refused" grep -q 'loopback' "$REG_TMP/pub.out"
fi
check "a loopback server without --public-url warns" grep -q 'warning: labels and QR codes will carry the loopback URL' "$REG_TMP/srv.$SRV_PID.err"
SERVE_ARGS="--public-url https://registry.example.jp" start_server "sqlite:$REG_TMP/reg2.db" || exit 1
check "https public URL: cookies are Secure" sh -c "curl -s -D - -o /dev/null '$URL/login' | grep -i '^Set-Cookie: jcs_login=' | grep -q '; Secure'"
check "https public URL: no loopback warning" sh -c "! grep -q warning '$REG_TMP/srv.$SRV_PID.err'"
finish
