# Linux 6.1 guest (issue 4): build, native boot, native test, native benchmarks.
# Included by the top-level Makefile (paths relative to the repository root); also usable alone:
#   make -f guests/linux/linux.mk linux|run-native|linux-test-native|bench [VARIANT=alt]
#
#   make linux              build (or find in the cache) kernel + DTB + initramfs for $(VARIANT)
#   make run-native         boot it on the bare board (QEMU) to a busybox shell; reboot -f ends it
#   make linux-test-native  boot with armvmm.tests=1 and check every test's PASS line
#   make bench              benchmarks natively and under the VMM, -icount and wall clock, trap
#                           statistics; tables and chart in $(BUILD)/bench (bench/README.md)
#
# The outputs live in the cache outside the clone (${ARMVMM_CACHE:-~/.cache/armvmm}/linux);
# $(BUILD)/linux/<variant> is a symbolic link to the current build of each variant.
# For other fragments:
#   LINUX_OUT          the default variant's directory: vmlinux zImage integratorcp.dtb
#                      initramfs.cpio.gz (valid after the `linux` target ran)
#   LINUX_ALT_OUT      the same for VARIANT=alt (after `make linux VARIANT=alt`)
#   LINUX_VARIANT_OUT  the same for the selected $(VARIANT)

BUILD   ?= build
SETUP   ?= scripts/setup.sh
VARIANT ?= default
ARMVMM  ?= $(BUILD)/armvmm

LINUX_OUT         := $(BUILD)/linux/default
LINUX_ALT_OUT     := $(BUILD)/linux/alt
LINUX_VARIANT_OUT := $(BUILD)/linux/$(VARIANT)
LINUX_ARMVMM_ARGS := --dtb $(LINUX_VARIANT_OUT)/integratorcp.dtb \
	--initrd $(LINUX_VARIANT_OUT)/initramfs.cpio.gz $(LINUX_VARIANT_OUT)/vmlinux

.PHONY: linux linux-alt run-native run-linux run-multi linux-test-native linux-test-vmm bench

linux:
	@bash $(SETUP) linux
	@bash guests/linux/build.sh $(VARIANT) $(LINUX_VARIANT_OUT) >/dev/null

# The second configuration the VMM must run (PAN off, VFP, PREEMPT, HZ=1000), cached likewise.
linux-alt:
	@bash $(SETUP) linux
	@bash guests/linux/build.sh alt $(LINUX_ALT_OUT) >/dev/null

# Several VMs side by side (README): two Linux VMs and a bare-metal one, lines tagged by VM,
# the terminal's input to the first; the run ends when every VM has ended.
run-multi: linux $(ARMVMM) $(VMM_ELF) $(GUESTS)
	$(ARMVMM) run --mem 64 --initrd $(LINUX_VARIANT_OUT)/initramfs.cpio.gz \
	    --append "console=ttyAMA0" $(LINUX_VARIANT_OUT)/vmlinux \
	  --vm --mem 64 --initrd $(LINUX_VARIANT_OUT)/initramfs.cpio.gz \
	    --append "console=ttyAMA0 armvmm.tests=1" $(LINUX_VARIANT_OUT)/vmlinux \
	  --vm --mem 16 $(GUEST_DIR)/irq.elf

# Linux under the VMM, interactive (`make run` does this).
run-linux: linux $(ARMVMM) $(VMM_ELF)
	@echo "run-linux: booting $(VARIANT) Linux under armvmm; 'reboot -f' (or Ctrl-A x) quits"
	$(ARMVMM) run --append "console=ttyAMA0" $(LINUX_ARMVMM_ARGS)

run-native: linux $(ARMVMM)
	@echo "run-native: booting $(VARIANT) Linux on QEMU integratorcp; 'reboot -f' (or Ctrl-A x) quits"
	$(ARMVMM) run --native --append "console=ttyAMA0" $(LINUX_ARMVMM_ARGS)

linux-test-vmm: linux $(ARMVMM) $(VMM_ELF)
	@bash guests/linux/test.sh --vmm --log $(BUILD)/linux/test-vmm-$(VARIANT).log $(LINUX_VARIANT_OUT)

linux-test-native: linux $(ARMVMM)
	@bash guests/linux/test.sh --native --log $(BUILD)/linux/test-native-$(VARIANT).log $(LINUX_VARIANT_OUT)

# BENCH_ARGS: more bench/run.sh options, e.g. BENCH_ARGS=--quick (a smoke run of about a minute),
# BENCH_ARGS='--runs 5' or '--modes icount'.
bench: linux $(ARMVMM) $(VMM_ELF)
	@bash $(SETUP) bench
	@ARMVMM=$(ARMVMM) bash bench/run.sh --linux $(LINUX_VARIANT_OUT) --out $(BUILD)/bench $(BENCH_ARGS)
