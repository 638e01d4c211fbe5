# SPDX-License-Identifier: GPL-2.0
#
# Putting tcpka on a server: make install, DKMS, Debian packages, and the
# CI checks of all three. Included by the top-level Makefile.
#
#   make install         tcpka.ko for KDIR's kernel into MODDIR/KVER/updates
#                        (then depmod), the tool, its bash completion, the man
#                        pages, the systemd unit and /etc/tcpka.conf (kept if
#                        it exists); dist/install.files lists every file
#   make uninstall       removes what install put there (/etc/tcpka.conf
#                        only if it is still the shipped example)
#   make install-userspace  install without the module (with DKMS)
#   make dkms-install    module sources to /usr/src/tcpka-VERSION, then dkms
#                        builds and installs them for every kernel with
#                        headers, and for kernels installed later
#   make dkms-uninstall  dkms remove, and the sources
#   make deb             Debian packages tcpka and tcpka-dkms in build/deb/
#   make pkg-check       CI: install-check, dkms-check and deb-check below
#   make install-check   install into a DESTDIR, compare with
#                        dist/install.files, uninstall, expect nothing left
#   make dkms-check      dkms build against each of KVERS's headers, in a
#                        DKMS tree under build/ (Debian's dkms still creates
#                        its signing key in /var/lib/dkms on first use)
#   make deb-check       make deb, then dpkg -c lists what is expected
#
# Variables: DESTDIR, PREFIX (/usr), SBINDIR, MANDIR, BASHCOMPDIR,
# SYSCONFDIR (/etc), UNITDIR (/lib/systemd/system), MODDIR (/lib/modules),
# and KDIR as for make. With DESTDIR set, depmod is not run (a package
# manager or image builder runs it on the target).

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
MODDIR ?= /lib/modules
DESTDIR ?=

# make deps installs these too: dkms for dkms-check, debhelper and dh-dkms
# for make deb (dpkg-dev comes with build-essential).
DEPS_EXTRA += dkms dh-dkms debhelper

TCPKA_VERSION := $(shell cat VERSION)
DKMS_SRC := /usr/src/tcpka-$(TCPKA_VERSION)

# The release of KDIR's kernel as uname -r prints it. Debian's headers say
# otherwise in "make kernelrelease" (6.1.y instead of 6.1.0-N-amd64);
# utsrelease.h holds what the module's vermagic is built from.
INSTALL_KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

# Everything install and uninstall pass to tool/Makefile.
TOOL_INSTALL_VARS = DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) SBINDIR=$(SBINDIR) \
	BASHCOMPDIR=$(BASHCOMPDIR)

install: install-module install-userspace
	@if [ -z "$(DESTDIR)" ]; then \
		echo "install: done; to apply $(SYSCONFDIR)/tcpka.conf at boot:"; \
		echo "install:   systemctl daemon-reload && systemctl enable --now tcpka"; \
	fi

# The tool and the files around it: what the Debian package tcpka holds.
install-userspace: install-tool install-man install-unit install-conf

install-module: module
	@[ -n "$(INSTALL_KVER)" ] || \
		{ echo "install: cannot tell the kernel release of KDIR=$(KDIR)" >&2; exit 1; }
	install -D -m 0644 kmod/tcpka.ko \
		$(DESTDIR)$(MODDIR)/$(INSTALL_KVER)/updates/tcpka.ko
	[ -n "$(DESTDIR)" ] || depmod -a $(INSTALL_KVER)

install-tool:
	$(MAKE) -C tool install $(TOOL_INSTALL_VARS)

install-man:
	install -D -m 0644 Documentation/tcpka.8 $(DESTDIR)$(MANDIR)/man8/tcpka.8
	install -D -m 0644 Documentation/tcpka.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/tcpka.conf.5

# The unit names the installed paths, so it is made for them.
$(BUILD)/tcpka.service: dist/tcpka.service.in FORCE
	@mkdir -p $(BUILD)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/tcpka.service.in >$@

install-unit: $(BUILD)/tcpka.service
	install -D -m 0644 $(BUILD)/tcpka.service $(DESTDIR)$(UNITDIR)/tcpka.service

# An administrator's configuration is never overwritten.
install-conf:
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/tcpka.conf ]; then \
		echo "install: keeping the existing $(DESTDIR)$(SYSCONFDIR)/tcpka.conf"; \
	else \
		echo "install -D -m 0644 dist/tcpka.conf $(DESTDIR)$(SYSCONFDIR)/tcpka.conf"; \
		install -D -m 0644 dist/tcpka.conf $(DESTDIR)$(SYSCONFDIR)/tcpka.conf; \
	fi

uninstall:
	@[ -n "$(INSTALL_KVER)" ] || \
		{ echo "uninstall: cannot tell the kernel release of KDIR=$(KDIR)" >&2; exit 1; }
	rm -f $(DESTDIR)$(MODDIR)/$(INSTALL_KVER)/updates/tcpka.ko
	[ -n "$(DESTDIR)" ] || depmod -a $(INSTALL_KVER)
	$(MAKE) -C tool uninstall $(TOOL_INSTALL_VARS)
	rm -f $(DESTDIR)$(MANDIR)/man8/tcpka.8 $(DESTDIR)$(MANDIR)/man5/tcpka.conf.5
	rm -f $(DESTDIR)$(UNITDIR)/tcpka.service
	@if cmp -s dist/tcpka.conf $(DESTDIR)$(SYSCONFDIR)/tcpka.conf; then \
		echo "rm -f $(DESTDIR)$(SYSCONFDIR)/tcpka.conf"; \
		rm -f $(DESTDIR)$(SYSCONFDIR)/tcpka.conf; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/tcpka.conf ]; then \
		echo "uninstall: keeping $(DESTDIR)$(SYSCONFDIR)/tcpka.conf, which was edited"; \
	fi

# The module's sources as DKMS wants them: what the package tcpka-dkms holds.
install-dkms-src:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	scripts/modsrc.sh $(DESTDIR)$(DKMS_SRC)
	sed 's/#MODULE_VERSION#/$(TCPKA_VERSION)/' dkms.conf \
		>$(DESTDIR)$(DKMS_SRC)/dkms.conf

# Kernels with headers; dkms takes care of those installed later.
DKMS_KVERS ?= $(patsubst $(MODDIR)/%/build,%,$(wildcard $(MODDIR)/*/build))

dkms-install:
	@command -v dkms >/dev/null || { echo "dkms-install: needs dkms (apt-get install dkms)" >&2; exit 1; }
	$(MAKE) --no-print-directory install-dkms-src DESTDIR=
	dkms status -m tcpka -v $(TCPKA_VERSION) | grep -q . || \
		dkms add -m tcpka -v $(TCPKA_VERSION)
	@for k in $(DKMS_KVERS); do \
		echo "dkms install -m tcpka -v $(TCPKA_VERSION) -k $$k"; \
		dkms install -m tcpka -v $(TCPKA_VERSION) -k $$k || exit 1; \
	done

dkms-uninstall:
	if dkms status -m tcpka -v $(TCPKA_VERSION) | grep -q .; then \
		dkms remove -m tcpka -v $(TCPKA_VERSION) --all; fi
	rm -rf $(DKMS_SRC)

# Built in a copy of the tree under build/deb, which also receives the
# packages: dpkg-buildpackage writes them next to the tree it builds.
deb:
	@dist/mkdeb.sh $(BUILD)/deb

install-check:
	@rm -rf $(BUILD)/install-root && mkdir -p $(BUILD)
	@+$(MAKE) --no-print-directory install DESTDIR=$(BUILD)/install-root >$(BUILD)/install.log 2>&1 || \
		{ cat $(BUILD)/install.log; exit 1; }
	@dist/check-install.sh $(BUILD)/install-root $(INSTALL_KVER) installed
	@+$(MAKE) --no-print-directory uninstall DESTDIR=$(BUILD)/install-root >>$(BUILD)/install.log 2>&1 || \
		{ cat $(BUILD)/install.log; exit 1; }
	@dist/check-install.sh $(BUILD)/install-root $(INSTALL_KVER) uninstalled

dkms-check:
	@rm -rf $(BUILD)/dkms
	@+$(MAKE) --no-print-directory install-dkms-src DESTDIR=$(BUILD)/dkms/root >/dev/null
	@dist/check-dkms.sh $(BUILD)/dkms $(TCPKA_VERSION) $(KVERS)

deb-check: deb
	@dist/check-deb.sh $(BUILD)/deb $(TCPKA_VERSION)

pkg-check: install-check dkms-check deb-check

FORCE:

.PHONY: install install-userspace install-module install-tool install-man \
	install-unit install-conf uninstall install-dkms-src dkms-install \
	dkms-uninstall deb install-check dkms-check deb-check pkg-check FORCE
