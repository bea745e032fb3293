#!/bin/sh
# RTSP on a real server: VLC's RTSP server answers an HTTP GET with "HTTP/1.0 404", so the
# probe must go on to RTSP OPTIONS and identify it as rtsp, then find the stream path.
#   tcp/8554 VLC stream without authentication            -> probe.auth.none fail
#   tcp/8555 VLC stream asking for a user and a password  -> probe.auth.none pass (its twin)
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net v 5
trap dev_cleanup EXIT INT TERM
dev_need cvlc runuser python3
. "$JCS_SRC/tests/integration/lib/expect.sh"
dev_vlc 8554
dev_vlc 8555 viewer 'Rtsp-uniq-9x!'
EV=$DEV_TMP/rtsp.json
printf 'admin:admin\nadmin:12345\n' >"$DEV_TMP/creds.txt"
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 8554,8555 --creds "$DEV_TMP/creds.txt" --bf-window 3 \
	-o "$EV" >"$DEV_TMP/out.txt" || { cat "$DEV_TMP/out.txt"; fail "probe failed"; }
cat "$DEV_TMP/out.txt"
expect_service 8554 tcp rtsp false
expect_service 8555 tcp rtsp false
expect probe.auth.none "tcp/8554 (rtsp)" fail '.how | test("DESCRIBE /stream without credentials answered 200")'
expect probe.transport.plaintext "tcp/8554 (rtsp)" fail
expect probe.auth.none "tcp/8555 (rtsp)" pass '.how | test("/stream .*answered 401")'
expect probe.auth.default-credential "tcp/8555 (rtsp)" pass '.accepted == null'
finish
