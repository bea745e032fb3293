verify_image() {
	usign -V -m "$1" -P /etc/opkg/keys -q || { echo "signature check failed" >&2; return 1; }
}
do_upgrade() {
	mtd -r write "$1" firmware
}
