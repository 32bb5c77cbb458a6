# SPDX-License-Identifier: GPL-2.0-only
#
# kmem_hp: wrapper around kbuild (objects are listed in Kbuild).
#
#   make [KERNELRELEASE=<uname -r>] [KDIR=<headers>]   build kmem_hp.ko
#   make tools          build tools/daxctl (needs libdaxctl, libkmod, json-c)
#   make install        install the module (updates/, depmod) and install-tools
#   make install-tools  install tools/daxctl in $(PREFIX)/sbin, the opt-in
#                       modprobe.d snippet in $(PREFIX)/share/kmem_hp, the
#                       boot path (udev rule, systemd unit, initramfs-tools
#                       hook, dracut module; see boot/)
#   make dkms-install   register, build and install through DKMS
#   make check          the whole QEMU test suite: every Debian kernel line and
#                       a KASAN/lockdep/kmemleak 6.12 kernel built here
#   make check-debug    the suite on that debug kernel only
#   make demo           boot a Debian kernel in QEMU and show kmem_hp at work
#   make bench          time kmem_hp against the per-block floor and daxctl
#                       in QEMU guests, 1-16 GiB devices (bench/run)
#   make matrix         DKMS-build (compile only) against every Debian headers
#                       package of a supported series, in its suite's userland
#   make style          checkpatch and sparse

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DOCDIR ?= $(PREFIX)/share/doc/kmem_hp
# Where udev, systemd, initramfs-tools and dracut look (local admin dirs,
# except dracut, which has none).
UDEVRULESDIR ?= /etc/udev/rules.d
SYSTEMDUNITDIR ?= /etc/systemd/system
INITRAMFSHOOKDIR ?= /etc/initramfs-tools/hooks
DRACUTMODDIR ?= /usr/lib/dracut/modules.d
GEN := compat/generated/kmem_hp_config.h
GEN_KDIR := compat/generated/kdir
# What the probe results depend on: the headers, and where the dax layout
# comes from (KMEM_HP_DAX_LAYOUT=btf forces the BTF-derived one, from
# KMEM_HP_BTF if set; see compat/dax-btf.sh).
GEN_KEY := $(abspath $(KDIR)) $(KMEM_HP_DAX_LAYOUT) $(KMEM_HP_BTF)

.PHONY: all modules tools probe clean clean-generated install install-tools dkms-install check check-debug demo bench matrix style

all: modules

# Re-run the compat probes when the target headers or the probes change.
probe:
	@if [ ! -f $(GEN) ] || [ "$$(cat $(GEN_KDIR) 2>/dev/null)" != "$(GEN_KEY)" ] || \
	    [ -n "$$(find compat/probes compat/conftest.sh compat/dax-btf.sh -newer $(GEN) 2>/dev/null)" ]; then \
		sh compat/conftest.sh "$(abspath $(KDIR))" $(GEN) && \
		echo "$(GEN_KEY)" > $(GEN_KDIR); \
	fi

modules: probe
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

clean-generated:
	rm -rf compat/generated

clean: clean-generated
	@if [ -d $(KDIR) ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -f kmem_hp.ko
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools clean; fi

install: modules install-tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KERNELRELEASE)

install-tools: tools
	$(MAKE) -C tools install PREFIX=$(PREFIX) SBINDIR=$(SBINDIR)
	install -D -m 0644 modprobe.d/kmem_hp.conf $(DESTDIR)$(PREFIX)/share/kmem_hp/kmem_hp.conf
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -D -m 0644 boot/udev/91-kmem_hp.rules $(DESTDIR)$(UDEVRULESDIR)/91-kmem_hp.rules
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		boot/systemd/kmem_hp-config@.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/kmem_hp-config@.service
	install -D -m 0755 boot/initramfs-tools/kmem_hp $(DESTDIR)$(INITRAMFSHOOKDIR)/kmem_hp
	install -D -m 0755 boot/dracut/90kmem_hp/module-setup.sh $(DESTDIR)$(DRACUTMODDIR)/90kmem_hp/module-setup.sh

dkms-install:
	dkms remove -m kmem_hp -v $(VERSION) --all >/dev/null 2>&1 || true
	dkms add $(CURDIR)
	dkms build -m kmem_hp -v $(VERSION) -k $(KERNELRELEASE)
	dkms install -m kmem_hp -v $(VERSION) -k $(KERNELRELEASE)

check:
	tests/run

check-debug:
	KERNELS=debug tests/run

demo:
	tests/demo

bench:
	bench/run

matrix:
	tests/matrix

style:
	tests/style.sh
