################################################################################
#
# kexmenu
#
################################################################################

# The source is the repository this BR2_EXTERNAL tree lives in. Only
# what the package installs is synced: the output directory (often
# inside the repository) and node_modules are left out.
KEXMENU_SITE = $(BR2_EXTERNAL_KEXMENU_PATH)/..
KEXMENU_SITE_METHOD = local
KEXMENU_LICENSE = MIT
KEXMENU_DEPENDENCIES = nodejs

KEXMENU_SRC = $(abspath $(KEXMENU_SITE))

KEXMENU_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--include=/package.json \
	--include=/dist/ \
	--include=/dist/kexmenu.mjs \
	--include=/dist/scan-worker.mjs \
	--exclude=*

# The bundle is built by "npm run build" outside Buildroot, so that
# Buildroot needs no npm registry. Say so plainly when it is missing.
define KEXMENU_CHECK_BUNDLE
	@if [ ! -s $(@D)/dist/kexmenu.mjs ] || [ ! -s $(@D)/dist/scan-worker.mjs ]; then \
		echo "kexmenu: $(KEXMENU_SRC)/dist/kexmenu.mjs or scan-worker.mjs is missing." >&2; \
		echo "kexmenu: run 'npm ci && npm run build' in $(KEXMENU_SRC)," >&2; \
		echo "kexmenu: then 'make kexmenu-dirclean all'." >&2; \
		exit 1; \
	fi
endef

define KEXMENU_BUILD_CMDS
	$(KEXMENU_CHECK_BUNDLE)
endef

define KEXMENU_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0644 $(@D)/dist/kexmenu.mjs \
		$(TARGET_DIR)/usr/lib/kexmenu/kexmenu.mjs
	$(INSTALL) -D -m 0644 $(@D)/dist/scan-worker.mjs \
		$(TARGET_DIR)/usr/lib/kexmenu/scan-worker.mjs
	$(INSTALL) -D -m 0755 $(KEXMENU_PKGDIR)/kexmenu.sh \
		$(TARGET_DIR)/usr/bin/kexmenu
endef

# kexec needs it in the running (menu) kernel; on arm64 KEXEC also
# depends on PM_SLEEP_SMP (secondary CPUs taken offline before the
# jump), which follows from SUSPEND on an SMP kernel.
define KEXMENU_LINUX_CONFIG_FIXUPS
	$(call KCONFIG_ENABLE_OPT,CONFIG_KEXEC)
	$(call KCONFIG_ENABLE_OPT,CONFIG_KEXEC_FILE)
	$(if $(BR2_aarch64),
		$(call KCONFIG_ENABLE_OPT,CONFIG_PM)
		$(call KCONFIG_ENABLE_OPT,CONFIG_SUSPEND)
		$(call KCONFIG_ENABLE_OPT,CONFIG_PM_SLEEP)
		$(call KCONFIG_ENABLE_OPT,CONFIG_PM_SLEEP_SMP))
endef

$(eval $(generic-package))
