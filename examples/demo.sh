#!/bin/sh
# make demo: assess the bundled example product (Acme Corp. NC-200 network camera) end to end:
#   1. build its firmware image from examples/camera/firmware and analyse it (jcstar firmware);
#   2. probe a stand-in device made of real daemons on loopback (jcstar probe) — lighttpd with
#      a default admin/admin login and an anonymous mosquitto, when they are installed;
#   3. combine both with the vendor's declaration (jcstar assess) and write the reports.
set -eu
J=${1:-build/jcstar}
ex=examples/camera
out=out/demo
mkdir -p "$out"
fixtures=tests/fixtures

echo "== 1. firmware: build $out/nc200-2.4.1.bin and analyse it"
sh "$ex/firmware/build.sh" "$out/nc200-2.4.1.bin"
vulndb=""
[ -d "$fixtures/vulndb/nvd" ] && vulndb="--vulndb $fixtures/vulndb/nvd"
# shellcheck disable=SC2086
"$J" firmware "$out/nc200-2.4.1.bin" -o "$out/firmware.json" --sbom "$out/sbom.cdx.json" $vulndb

echo
echo "== 2. probe: a stand-in device on 127.0.0.1"
probe_ev="$ex/evidence/probe.json"
if command -v lighttpd >/dev/null && command -v mosquitto >/dev/null; then
	dev=$(mktemp -d)
	pids=""
	stop() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$dev"; }
	trap stop EXIT
	mkdir -p "$dev/www"
	echo "<html><body>NC-200 admin</body></html>" > "$dev/www/index.html"
	echo 'admin:admin' > "$dev/users"
	cat > "$dev/lighttpd.conf" <<EOT
server.bind = "127.0.0.1"
server.port = 18080
server.document-root = "$dev/www"
server.modules = ("mod_auth", "mod_authn_file")
index-file.names = ("index.html")
auth.backend = "plain"
auth.backend.plain.userfile = "$dev/users"
auth.require = ("/" => ("method" => "basic", "realm" => "NC-200", "require" => "valid-user"))
EOT
	printf 'listener 18883 127.0.0.1\nallow_anonymous true\npersistence false\n' > "$dev/mosquitto.conf"
	lighttpd -D -f "$dev/lighttpd.conf" 2>"$dev/lighttpd.log" & pids="$pids $!"
	mosquitto -c "$dev/mosquitto.conf" >/dev/null 2>&1 & pids="$pids $!"
	sleep 1
	"$J" probe 127.0.0.1 --ports 18080,18883 --profile quick --needed-ports 18080/tcp --bf-window 10 \
		-o "$out/probe.json" && probe_ev="$out/probe.json"
	stop
	trap - EXIT
else
	echo "lighttpd or mosquitto not installed: using the recorded evidence $probe_ev"
fi

echo
echo "== 3. jcstar assess $ex/declaration.yaml"
"$J" assess "$ex/declaration.yaml" --evidence "$probe_ev" --evidence "$out/firmware.json" \
	-o "$out/report.json" --html "$out/report.html" --sarif "$out/report.sarif" --checklist "$out/checklist.csv"
echo
echo "Open $out/report.html in a browser (it prints to PDF); $out/report.json is the machine-readable report,"
echo "$out/sbom.cdx.json the firmware's CycloneDX SBOM."
