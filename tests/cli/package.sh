#!/usr/bin/env bash
# The Debian package (cpack -G DEB from the build's CPackConfig.cmake) as
# dpkg-deb lists it, no root needed: the libraries, hmmsim.pc and the CMake
# package in the multiarch folder /usr/lib/<triplet> (they were in /usr/lib),
# /usr/share/doc/hmmsim/copyright in Debian's machine-readable format (there
# was none), and the package's hmmsim.pc and find_package(hmmsim) work from
# where dpkg puts them (here: unpacked into a temporary root).  dpkg -i is
# scripts/install-check's, as root.  Skipped (77) off Debian or without
# cpack and dpkg-deb.
# Usage: package.sh BUILD SRC
set -u
B=${1:?usage: package.sh BUILD SRC}
S=${2:?usage: package.sh BUILD SRC}
if [[ ! -e /etc/debian_version ]] || ! command -v cpack >/dev/null || ! command -v dpkg-deb >/dev/null; then
	echo "package: skipped (not Debian, or no cpack / dpkg-deb)"
	exit 77
fi
. "$(dirname "$0")/lib.sh"

check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

arch=$(cc -print-multiarch)
[[ -n $arch ]] || { echo "package: skipped (cc -print-multiarch says nothing)"; exit 77; }
(cd "$T" && cpack -G DEB --config "$B/CPackConfig.cmake" >"$T/cpack.log" 2>&1) ||
	{ cat "$T/cpack.log"; bad "cpack -G DEB"; exit 1; }
pkg=$(ls "$T"/hmmsim_*.deb)
dpkg-deb -c "$pkg" | awk '{print $6}' >"$T/list"
for f in libhmmsim_core.a libhmmsim_native.a libhmmsim_model.a libhmmsim_lab.a \
	libhmmsim_scenario.a libhmmsim_litmus.a pkgconfig/hmmsim.pc pkgconfig/hmmsim-native.pc \
	cmake/hmmsim/hmmsimConfig.cmake cmake/hmmsim/hmmsimTargets.cmake; do
	check "/usr/lib/$arch/$f" "grep -qx './usr/lib/$arch/$f' '$T/list'"
done
check "nothing of hmmsim's in /usr/lib itself" \
	"! grep -E '^\./usr/lib/(lib|pkgconfig/|cmake/)' '$T/list'"
check "/usr/share/doc/hmmsim/copyright" "grep -qx './usr/share/doc/hmmsim/copyright' '$T/list'"

dpkg-deb -x "$pkg" "$T/root"
c=$T/root/usr/share/doc/hmmsim/copyright
check "copyright: machine-readable, MIT, the licence's text" \
	"head -1 '$c' | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' &&
	grep -qx 'License: MIT' '$c' && grep -q 'Permission is hereby granted' '$c' &&
	cmp -s '$c' '$S/cmake/copyright'"
# hmmsim.pc: found where pkg-config looks by default, its libdir the package's
check "pkg-config looks in /usr/lib/$arch/pkgconfig" \
	"pkg-config --variable pc_path pkg-config | tr : '\n' | grep -qx /usr/lib/$arch/pkgconfig"
libdir=$(PKG_CONFIG_PATH=$T/root/usr/lib/$arch/pkgconfig pkg-config --variable libdir hmmsim)
check "hmmsim.pc: libdir is /usr/lib/$arch ($libdir)" \
	"[[ \$(realpath -m '$libdir') == '$T/root/usr/lib/$arch' && -e '$libdir/libhmmsim_core.a' ]]"
# find_package(hmmsim) from the unpacked /usr: the imported targets' files exist
mkdir -p "$T/fp"
cat >"$T/fp/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(fp C)
find_package(hmmsim REQUIRED)
get_target_property(loc hmmsim::engine LOCATION)
message(STATUS "engine: ${loc}")
CM
cmake -S "$T/fp" -B "$T/fp/b" -DCMAKE_PREFIX_PATH="$T/root/usr" >"$T/fp.log" 2>&1
check "find_package(hmmsim): hmmsim::engine in /usr/lib/$arch" \
	"grep -q 'engine: $T/root/usr/lib/$arch/libhmmsim_core.a' '$T/fp.log' && [[ -e $T/root/usr/lib/$arch/libhmmsim_core.a ]]"
[[ $fail == 0 ]] || { echo "  the package lists:"; sed 's/^/    /' "$T/list" | grep -v '/doc/hmmsim/.*\.md$\|include/hmmsim/' ; cat "$T/fp.log"; }

finish package
