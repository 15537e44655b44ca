#!/bin/bash
# Sourced: the kernel build's names for one of minihv's architectures
# ($1: arm64 or amd64): karch (ARCH=), cross (CROSS_COMPILE=) and image
# (the boot image's make target, under arch/$karch/boot/). Returns 1 for
# any other architecture.
# shellcheck disable=SC2034 # used by the scripts that source this
case $1 in
arm64) karch=arm64 cross=aarch64-linux-gnu- image=Image ;;
amd64) karch=x86 cross='' image=bzImage ;;
*) return 1 ;;
esac
