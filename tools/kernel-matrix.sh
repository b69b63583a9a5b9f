#!/usr/bin/env bash
# The catalogue on other kernels: for each Debian kernel package named
# (default: Debian 12's 6.1 and 6.12), download it with apt, boot it under
# qemu with this machine's root filesystem shared read-only over 9p (the
# build and every installed package come with it), run the catalogue (or
# the scenarios given after --) inside, and print one table: scenario x
# kernel -> PASS / FAIL / SKIP, with the first mismatch, plus the host's own
# kernel. Facts behind each step: ../shared/KERNELS.md.
#
#   tools/kernel-matrix.sh [KERNEL-PACKAGE...] [-- closepath run arguments]
#   e.g. tools/kernel-matrix.sh linux-image-6.1.0-56-amd64 -- linger_zero keepalive_timeout
#
# As root (apt-get, qemu). Everything goes to build-kernels/: the packages,
# unpacked trees, initramfs, and per kernel a results/ folder with each
# run's out/ and the guest's console log. CLOSEPATH_QEMU_ACCEL=kvm uses KVM
# where it works (default: TCG, which nested KVM here does not run); the
# catalogue runs at -j CLOSEPATH_MATRIX_JOBS (default 2). CLOSEPATH_MATRIX_HOST=0
# leaves out the host's own column (CI runs the host catalogue already);
# CLOSEPATH_MATRIX_TIMEOUT bounds each guest (seconds, default 900).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/build-kernels

kernels=()
while (($#)) && [[ $1 != -- ]]; do kernels+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
run_args=("$@")
((${#run_args[@]})) || run_args=(--all)
((${#kernels[@]})) || kernels=(linux-image-6.1.0-56-amd64 linux-image-6.12.100+deb12-amd64)
jobs=${CLOSEPATH_MATRIX_JOBS:-2}
accel=${CLOSEPATH_QEMU_ACCEL:-tcg}

[[ $(id -u) -eq 0 ]] || { echo "kernel-matrix: run as root (apt-get download, qemu, the catalogue)" >&2; exit 3; }
tools/bootstrap.sh --packages-only qemu-system-x86 busybox-static cpio kmod xz-utils >/dev/null
[[ -x build/closepath ]] || tools/bootstrap.sh >/dev/null
mkdir -p "$work/pkgs"

# The initramfs needs these to reach the host's root; the guest loads the rest from the unpacked tree.
early_modules=(virtio_pci 9pnet_virtio 9p)

boot() {  # boot KERNEL-PACKAGE: run the catalogue in it, results in $work/$pkg/results
  local pkg=$1 tree=$work/$1
  if [[ ! -d $tree/lib/modules ]]; then
    (cd "$work/pkgs" && { ls "$pkg"_*.deb >/dev/null 2>&1 || apt-get download "$pkg" >/dev/null 2>&1; } ) ||
      { echo "kernel-matrix: apt-get download $pkg failed" >&2; return 1; }
    rm -rf "$tree"
    dpkg-deb -x "$(ls "$work/pkgs/$pkg"_*.deb | head -1)" "$tree"
  fi
  local kver
  kver=$(ls "$tree/lib/modules" | head -1)
  [[ -f $tree/lib/modules/$kver/modules.dep ]] || depmod -b "$tree" "$kver"

  # initramfs: busybox, the early modules in load order (decompressed), and an init that chroots to the host's root.
  local initrd=$work/$pkg.initrd.gz staging
  staging=$(mktemp -d)
  mkdir -p "$staging"/{bin,modules,proc,sys,dev,newroot}
  cp /bin/busybox "$staging/bin/busybox"
  local n=0
  while read -r _ path _; do
    local dest
    dest=$staging/modules/$(printf '%02d' $n)-$(basename "${path%.xz}")
    dest=${dest%.zst}
    case $path in
      *.ko.xz) xz -dc "$path" > "$dest" ;;
      *.ko.zst) zstd -qdc "$path" > "$dest" ;;
      *) cp "$path" "$dest" ;;
    esac
    n=$((n + 1))
  done < <(for m in "${early_modules[@]}"; do modprobe -d "$tree" -S "$kver" --show-depends "$m"; done | awk '$1 == "insmod" && !seen[$2]++')
  cat > "$staging/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev
for m in /modules/*.ko; do insmod "$m" 2>/dev/null; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /newroot || { echo "9p root failed"; echo o > /proc/sysrq-trigger; }
mount -t proc proc /newroot/proc; mount -t sysfs sysfs /newroot/sys; mount -t devtmpfs dev /newroot/dev
mount -t tmpfs tmp /newroot/tmp; mount -t tmpfs run /newroot/run
mkdir -p /newroot/tmp/kmods /newroot/tmp/results
mount -t 9p -o trans=virtio,version=9p2000.L,ro kmods /newroot/tmp/kmods
mount -t 9p -o trans=virtio,version=9p2000.L results /newroot/tmp/results
# switch_root, not chroot: /newroot becomes the real root, so paths of files on mounts below it
# (/proc/self/exe of a checkout under /tmp) read as the guest sees them, not as /newroot/...
exec switch_root /newroot /bin/bash -c '/bin/bash /tmp/results/guest.sh; echo o > /proc/sysrq-trigger; sleep 5'
INIT
  chmod +x "$staging/init"
  (cd "$staging" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd"
  rm -rf "$staging"

  local results=$tree-results
  rm -rf "$results"
  mkdir -p "$results"
  # What the guest runs: load what the catalogue needs from the unpacked tree, then the catalogue.
  printf -v quoted '%q ' "${run_args[@]}"
  cat > "$results/guest.sh" <<GUEST
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
for m in veth sch_netem nf_tables inet_diag tcp_diag; do modprobe -d /tmp/kmods -S $kver \$m 2>/dev/null; done
ip link set lo up
# The checkout has its own export: under /tmp or /run (a CI clone, say) the guest's tmpfs hides the host's copy.
mkdir -p $root && mount -t 9p -o trans=virtio,version=9p2000.L,ro checkout $root
cd $root
echo "kernel \$(uname -r)" > /tmp/results/kernel
build/closepath run $quoted -j $jobs --out /tmp/results/out > /tmp/results/run.log 2>&1
echo \$? > /tmp/results/rc
GUEST
  local cpu="-cpu max"
  [[ $accel == kvm ]] && cpu="-cpu host"
  echo "== $pkg ($kver) under qemu/$accel: ${run_args[*]}" >&2
  # TCG runs the vCPUs on one host thread (thread=single): with one thread per vCPU on a busy 2-core
  # host, 6.1 guests stalled in RCU and soft lockups (seen here) while a thread waited for the other.
  local accel_opt=$accel
  [[ $accel == tcg ]] && accel_opt="tcg,thread=single"
  timeout "${CLOSEPATH_MATRIX_TIMEOUT:-900}" qemu-system-x86_64 -accel "$accel_opt" $cpu -m 3072 -smp 2 -nographic -no-reboot \
    -kernel "$tree/boot/vmlinuz-$kver" -initrd "$initrd" -append "console=ttyS0 panic=-1 quiet" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$tree,mount_tag=kmods,security_model=none,readonly=on" \
    -virtfs "local,path=$results,mount_tag=results,security_model=none" \
    -virtfs "local,path=$root,mount_tag=checkout,security_model=none,readonly=on,multidevs=remap" \
    > "$results/console.log" 2>&1 || echo "kernel-matrix: qemu for $pkg ended with status $? (see $results/console.log)" >&2
  [[ -f $results/rc ]] || echo "kernel-matrix: the run in $pkg did not finish (see $results/console.log)" >&2
}

for k in "${kernels[@]}"; do boot "$k" || true; done

columns=()
if [[ ${CLOSEPATH_MATRIX_HOST:-1} != 0 ]]; then
  # The host's own kernel, the same way.
  host_results=$work/host-results
  rm -rf "$host_results"
  mkdir -p "$host_results"
  uname -r > "$host_results/kernel"
  build/closepath run "${run_args[@]}" -j "$jobs" --out "$host_results/out" > "$host_results/run.log" 2>&1 || true
  columns+=("host:$host_results")
fi
for k in "${kernels[@]}"; do columns+=("$k:$work/$k-results"); done
exec /usr/bin/python3 "$root/tools/kernel_matrix_table.py" "${columns[@]}"
