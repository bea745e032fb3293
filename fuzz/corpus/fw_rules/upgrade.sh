#!/bin/sh
usign -V -m "$1" -P /etc/opkg/keys -q
REQUIRE_IMAGE_SIGNATURE=1
firstboot -y
jffs2reset -y && reboot
