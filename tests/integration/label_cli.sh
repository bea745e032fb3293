#!/bin/sh
# jcstar label: keys, sign, verify (valid / expired / revoked / suspended / bad signature /
# not in log) with exit codes, revocation lists, a file-based log with inclusion and
# consistency proofs, SVG well-formedness (xmllint) and PNG QR decoding (zbarimg).
set -eu
J=${JCSTAR:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
checks=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); }
# expect CODE CMD...: run, keep stdout in out.txt and stderr in err.txt, check the exit code
expect() {
	want=$1; shift
	set +e; "$@" >out.txt 2>err.txt; rc=$?; set -e
	[ "$rc" -eq "$want" ] || { cat out.txt err.txt >&2; fail "exit $rc, want $want: $*"; }
	ok
}
command -v xmllint >/dev/null || fail "xmllint missing (Debian libxml2-utils; scripts/deps.sh)"
command -v zbarimg >/dev/null || fail "zbarimg missing (Debian zbar-tools; scripts/deps.sh)"

# --- keys
expect 0 "$J" label keygen --out reg.key --pub reg.pub
[ "$(stat -c %a reg.key)" = 600 ] || fail "key mode $(stat -c %a reg.key)"
grep -q "BEGIN PUBLIC KEY" reg.pub || fail "public key PEM"
expect 3 "$J" label keygen --out reg.key              # never overwrites
grep -q "File exists" err.txt || fail "overwrite message"
expect 0 "$J" label keygen --out other.key --pub other.pub
expect 0 "$J" label pubkey --key reg.key --id
kid=$(cat out.txt)
[ ${#kid} -eq 64 ] || fail "key id $kid"
expect 0 "$J" label pubkey --key reg.key -o again.pub
cmp -s reg.pub again.pub || fail "pubkey differs from keygen's"
cp reg.key loose.key; chmod 644 loose.key
expect 3 "$J" label pubkey --key loose.key
grep -q "chmod 600" err.txt || fail "loose key message"

# --- sign three labels and a revocation
sign() { # regno level issued out [extra...]
	r=$1 l=$2 i=$3 o=$4; shift 4
	expect 0 "$J" label sign --key reg.key --regno "$r" --vendor "Example Devices 株式会社" \
		--product "Network camera" --model "CAM-$l" --model "CAM-${l}W" --level "$l" --issued "$i" \
		--registry registry.example --url "https://registry.example/products/$r" \
		--signed-at "${i}T09:00:00Z" -o "$o" "$@"
}
sign JCS-1-2026-000001 1 2026-04-01 a.json
sign JCS-1-2026-000002 1 2026-04-02 b.json
sign JCS-3-2026-000003 3 2026-04-03 c.json --expires 2027-04-03
expect 2 "$J" label sign --key reg.key --regno JCS-1-2026-000004 --vendor V --product P --model M \
	--level 2 --registry r --url https://r/x                       # level does not match the number
expect 2 "$J" label sign --key reg.pub --regno JCS-1-2026-000004 --vendor V --product P --model M \
	--level 1 --registry r --url https://r/x                       # public key cannot sign
grep -q '"expires":"2028-04-01"' a.json || fail "default expiry issue + 2 years"

# --- verify: valid, expired, not yet valid, stdin, JSON
# without a status statement nothing verifies as valid: "status not checked", exit 6
expect 6 "$J" label verify a.json --key reg.pub --at 2026-11-26
grep -q "^JCS-1-2026-000001: status not checked: no status statement$" out.txt || fail "unchecked line"
grep -q "signature    good" out.txt || fail "signature line"
expect 6 "$J" label verify - --key reg.pub --at 2028-04-01 <a.json   # last day before expiry
expect 1 "$J" label verify a.json --key reg.pub --at 2028-04-02
grep -q "^JCS-1-2026-000001: expired: on 2028-04-02" out.txt || fail "expired line"
expect 1 "$J" label verify a.json --key reg.pub --at 2026-03-31
grep -q "not yet valid" out.txt || fail "not yet valid"
expect 6 "$J" label verify c.json --key reg.pub --at 2026-11-26 --json
python3 - out.txt <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["schema"] == "jcstar.label-verify/1" and j["status"] == "status not checked" and j["exit_code"] == 6, j
assert j["label"]["level"] == 3 and j["label"]["models"] == ["CAM-3", "CAM-3W"], j
assert j["log"] is None and j["revocations"] is None and j["status_statement"] is None
PY
ok

# --- bad signatures: wrong key, any changed field, a forged key id
expect 4 "$J" label verify a.json --key other.pub
grep -q "bad signature: signed by key" out.txt || fail "wrong key message"
for from_to in 's/CAM-1W/CAM-1X/' 's/"level":1/"level":2/' 's/2028-04-01/2029-04-01/' \
	's/"status":"valid"/"status":"revoked"/' 's/Example/Exampl3/' 's/products/product5/'; do
	sed "$from_to" a.json >t.json
	cmp -s a.json t.json && fail "sed $from_to changed nothing"
	expect 4 "$J" label verify t.json --key reg.pub
	grep -q "bad signature" out.txt || fail "tampered ($from_to)"
done
# every single byte of the signature
sig=$(sed 's/.*"signature":"\([^"]*\)".*/\1/' a.json)
i=1
while [ $i -le 86 ]; do
	mut=$(printf '%s' "$sig" | awk -v i=$i '{ c = substr($0, i, 1); printf "%s%s%s", substr($0, 1, i - 1), (c == "A" ? "B" : "A"), substr($0, i + 1) }')
	sed "s|$sig|$mut|" a.json >t.json
	cmp -s a.json t.json && fail "signature unchanged at $i"
	set +e; "$J" label verify t.json --key reg.pub >/dev/null 2>&1; rc=$?; set -e
	[ $rc -eq 4 ] || [ $rc -eq 2 ] || fail "signature char $i changed: exit $rc"
	i=$((i + 9))
done
ok

# --- malformed input
printf '{"payload":' >bad.json
expect 2 "$J" label verify bad.json --key reg.pub
printf '{"payload":{},"signature":"x"}' >bad.json
expect 2 "$J" label verify bad.json --key reg.pub
expect 2 "$J" label verify a.json                                    # no key
expect 2 "$J" label verify a.json --key reg.pub --proof x.json     # proof without sth
expect 3 "$J" label verify missing.json --key reg.pub

# --- revocations and suspensions
expect 0 "$J" label revoke --key reg.key --regno JCS-1-2026-000002 --reason "nonconformity found" \
	--effective 2026-10-01 --registry registry.example --signed-at 2026-10-01T00:00:00Z -o rev.json
expect 0 "$J" label revoke --key reg.key --regno JCS-1-2026-000001 --suspend --reason "under investigation" \
	--effective 2026-06-01 --registry registry.example --signed-at 2026-06-01T00:00:00Z -o susp.json
{ printf '['; tr -d '\n' <rev.json; printf ','; tr -d '\n' <susp.json; printf ']\n'; } >revocations.json
expect 1 "$J" label verify b.json --key reg.pub --revocations revocations.json --at 2026-11-26
grep -q "^JCS-1-2026-000002: revoked: revoked since 2026-10-01: nonconformity found" out.txt || fail "revoked line"
expect 6 "$J" label verify b.json --key reg.pub --revocations revocations.json --at 2026-09-30
expect 1 "$J" label verify a.json --key reg.pub --revocations revocations.json --at 2026-11-26
grep -q "suspended since 2026-06-01" out.txt || fail "suspended line"
expect 6 "$J" label verify c.json --key reg.pub --revocations revocations.json --at 2026-11-26
# a list with the revocation of b removed proves nothing: never "valid"
tr -d '\n' <susp.json | sed 's/^/[/; s/$/]/' >cut.json
expect 6 "$J" label verify b.json --key reg.pub --revocations cut.json --at 2026-11-26
expect 0 "$J" label revoke --key other.key --regno JCS-3-2026-000003 --reason forged \
	--registry registry.example -o forged.json
expect 4 "$J" label verify c.json --key reg.pub --revocations forged.json
grep -q "bad signature: revocation list forged.json: revocation list entry 0: signed by key" out.txt || fail "forged revocation message"

# --- transparency log: inclusion and consistency
mkdir log2 log5
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir log2 a.json b.json
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir log5 --consistency-from 2 \
	a.json b.json c.json rev.json susp.json
for f in a b c; do
	expect 6 "$J" label verify $f.json --key reg.pub --proof log5/$f.json.proof.json --sth log5/sth.json --at 2026-05-01
	grep -q "log          included" out.txt || fail "included line ($f)"
done
expect 6 "$J" label verify b.json --key reg.pub --proof log5/b.json.proof.json --sth log5/sth.json --json --at 2026-05-01
python3 -c 'import json,sys; j=json.load(open("out.txt")); assert j["log"]["included"] and j["log"]["leaf_index"]==1 and j["log"]["tree_size"]==5, j'
ok
expect 5 "$J" label verify b.json --key reg.pub --proof log5/a.json.proof.json --sth log5/sth.json
grep -q "not in log" out.txt || fail "wrong proof"
expect 5 "$J" label verify a.json --key reg.pub --proof log2/a.json.proof.json --sth log5/sth.json
sed 's/"tree_size":5/"tree_size":6/' log5/sth.json >bad-sth.json
expect 5 "$J" label verify a.json --key reg.pub --proof log5/a.json.proof.json --sth bad-sth.json
sign JCS-1-2026-000009 1 2026-04-09 d.json
expect 5 "$J" label verify d.json --key reg.pub --proof log5/a.json.proof.json --sth log5/sth.json
expect 0 "$J" label consistency --key reg.pub --old log2/sth.json --new log5/sth.json --proof log5/consistency.json
grep -q "consistent: tree 2 is a prefix of tree 5" out.txt || fail "consistency line"
mkdir logx
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir logx --consistency-from 2 \
	b.json a.json c.json rev.json susp.json                              # history rewritten
expect 5 "$J" label consistency --key reg.pub --old log2/sth.json --new logx/sth.json --proof logx/consistency.json


# --- status statements: derived from the log in log order, bound to the tree head
NOW=2026-12-01T00:00:00Z
mkdir st5 st6
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir st5 --now $NOW \
	a.json b.json c.json rev.json susp.json
[ -f st5/c.json.status.json ] && [ ! -f st5/rev.json.status.json ] || fail "status files"
vs() { # vs CODE LABEL STATUS [extra...]: verify with proof, tree head and status of st5
	code=$1 f=$2 st=$3; shift 3
	expect "$code" "$J" label verify "$f" --key reg.pub --proof "st5/$f.proof.json" --sth st5/sth.json \
		--status "$st" --now $NOW "$@"
}
vs 0 c.json st5/c.json.status.json
grep -q "^JCS-3-2026-000003: valid$" out.txt || fail "valid with status"
grep -q "status       checked: valid at log entry 2 of 5" out.txt || fail "status line"
vs 1 a.json st5/a.json.status.json
grep -q "^JCS-1-2026-000001: suspended: suspended in the registry's log (entry 4)" out.txt || fail "suspended by status"
vs 1 b.json st5/b.json.status.json
grep -q "^JCS-1-2026-000002: revoked" out.txt || fail "revoked by status"
vs 1 b.json st5/b.json.status.json --now 2031-01-01T00:00:00Z --at 2026-12-01   # stale: still revoked
vs 6 c.json st5/c.json.status.json --now 2026-12-02T00:00:01Z --at 2026-12-01   # stale: not checked
grep -q "status not checked: the status statement is out of date" out.txt || fail "stale line"
vs 6 c.json st5/a.json.status.json                                              # another label's
grep -q "for another label" out.txt || fail "other label line"
# the offline bundle (what /api/v1/products/REG/bundle serves) in one file
jq -n --slurpfile l c.json --slurpfile p st5/c.json.proof.json --slurpfile s st5/sth.json \
	--slurpfile t st5/c.json.status.json \
	'{schema: "jcstar.label-bundle/1", label: $l[0], inclusion: $p[0], sth: $s[0], status: $t[0]}' >bundle.json
expect 0 "$J" label verify bundle.json --key reg.pub --now $NOW --json
python3 -c 'import json; j=json.load(open("out.txt")); assert j["status"]=="valid" and j["status_statement"]["checked"] and j["log"]["included"], j'
ok
jq 'del(.status)' bundle.json >nostatus.json
expect 6 "$J" label verify nostatus.json --key reg.pub --now $NOW
# forgeries: a changed status, another key, truncation, another tree head
sed 's/"status":"revoked"/"status":"valid"/' st5/b.json.status.json >forged.json
cmp -s forged.json st5/b.json.status.json && fail "sed changed nothing"
vs 4 b.json forged.json
expect 0 "$J" label sign --key other.key --regno JCS-3-2026-000003 --vendor V --product P --model M --level 3 \
	--registry registry.example --url https://registry.example/x -o c-other.json
expect 0 "$J" label log --key other.key --registry registry.example --out-dir st6 --now $NOW c-other.json
vs 4 c.json st6/c-other.json.status.json
head -c 200 st5/c.json.status.json >trunc.json
vs 2 c.json trunc.json
mkdir st7
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir st7 --now $NOW \
	a.json b.json c.json rev.json susp.json d.json
expect 6 "$J" label verify c.json --key reg.pub --sth st7/sth.json --status st5/c.json.status.json --now $NOW
grep -q "bound to another tree head" out.txt || fail "tree head binding"
# same second and reordering: order is the log's, never the clock's
sign JCS-1-2026-000011 1 2026-05-01 e.json
expect 0 "$J" label revoke --key reg.key --regno JCS-1-2026-000011 --suspend --reason "under investigation" \
	--effective 2026-05-01 --registry registry.example --signed-at 2026-05-01T09:00:00Z -o susp-e.json
sign JCS-1-2026-000011 1 2026-05-01 e2.json --model CAM-1X    # reinstated in the same second
{ printf '['; tr -d '\n' <susp-e.json; printf ']\n'; } >revs-e.json
expect 1 "$J" label verify e.json --key reg.pub --revocations revs-e.json --at 2026-06-01
grep -q "suspended" out.txt || fail "same-second suspension ignored"
mkdir se1 se2
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir se1 --now $NOW e.json susp-e.json e2.json
expect 0 "$J" label verify e2.json --key reg.pub --revocations revs-e.json --status se1/e2.json.status.json \
	--now $NOW --at 2026-06-01
expect 1 "$J" label verify e.json --key reg.pub --status se1/e2.json.status.json --now $NOW --at 2026-06-01
grep -q "superseded" out.txt || fail "older credential superseded"
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir se2 --now $NOW e.json e2.json susp-e.json
expect 1 "$J" label verify e2.json --key reg.pub --status se2/e2.json.status.json --now $NOW --at 2026-06-01
grep -q "suspended" out.txt || fail "suspension after the reinstatement in the log"
mkdir sr
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir sr --now $NOW rev.json b.json
expect 1 "$J" label verify b.json --key reg.pub --status sr/b.json.status.json --now $NOW
grep -q "revoked" out.txt || fail "revocation before the credential in the log is still final"
# expiry grace: c expires 2027-04-03; 30 days of grace, then expired
mkdir sg sx
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir sg --now 2027-04-20T00:00:00Z c.json
expect 1 "$J" label verify c.json --key reg.pub --status sg/c.json.status.json --now 2027-04-20T00:00:00Z
grep -q "^JCS-3-2026-000003: expiry grace" out.txt || fail "expiry grace"
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir sx --now 2027-05-04T00:00:00Z c.json
expect 1 "$J" label verify c.json --key reg.pub --status sx/c.json.status.json --now 2027-05-04T00:00:00Z
grep -q "^JCS-3-2026-000003: expired" out.txt || fail "expired after grace"

# --- images: SVG well-formed, PNG decodes to the product page URL
expect 0 "$J" label render c.json --svg c.svg --png c.png
xmllint --noout c.svg || fail "SVG not well-formed"
[ "$(grep -c '<polygon' c.svg)" -eq 3 ] || fail "three stars for level 3"
url=$(zbarimg -q --nodbus --raw c.png 2>/dev/null)
[ "$url" = "https://registry.example/products/JCS-3-2026-000003" ] || fail "QR decodes to '$url'"
ok
expect 2 "$J" label render c.json --png small.png --dpi 10
grep -q "resolution must be" err.txt || fail "resolution message"
# the smallest QR code (a short URL), printed small
expect 0 "$J" label sign --key reg.key --regno JCS-2-2026-000010 --vendor V --product P --model M --level 2 \
	--registry r --url http://r.jp/a -o short.json
expect 0 "$J" label render - --png short.png --width-mm 12 <short.json
[ "$(zbarimg -q --nodbus --raw short.png 2>/dev/null)" = http://r.jp/a ] || fail "short URL QR"
ok

echo "$checks passed, 0 failed"
