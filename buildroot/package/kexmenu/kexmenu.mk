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

ifeq ($(BR2_PACKAGE_KEXMENU_NODE_PTY),y)
KEXMENU_NODE_PTY_RSYNC = \
	--include=/node_modules/ \
	--exclude=/node_modules/node-pty/build/ \
	--exclude=/node_modules/node-pty/prebuilds/ \
	--include=/node_modules/node-pty/*** \
	--include=/node_modules/node-addon-api/***
endif

KEXMENU_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--include=/package.json \
	--include=/dist/ \
	--include=/dist/kexmenu.mjs \
	--include=/dist/scan-worker.mjs \
	$(KEXMENU_NODE_PTY_RSYNC) \
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

ifeq ($(BR2_PACKAGE_KEXMENU_NODE_PTY),y)
KEXMENU_DEPENDENCIES += host-nodejs host-python3

# node's CPU names. nodejs.mk's $(NPM) passes npm_config_arch from
# NODEJS_CPU, which is empty: node-gyp would then build for the host.
ifeq ($(BR2_aarch64),y)
KEXMENU_NODE_ARCH = arm64
else ifeq ($(BR2_arm),y)
KEXMENU_NODE_ARCH = arm
else ifeq ($(BR2_x86_64),y)
KEXMENU_NODE_ARCH = x64
else ifeq ($(BR2_i386),y)
KEXMENU_NODE_ARCH = ia32
endif

# node-gyp as shipped inside host npm: no download, target headers
# from the staging node (npm_config_nodedir), target compilers.
KEXMENU_NODE_GYP = \
	$(TARGET_CONFIGURE_OPTS) \
	LD="$(TARGET_CXX)" \
	PYTHON=$(HOST_DIR)/bin/python3 \
	npm_config_arch=$(KEXMENU_NODE_ARCH) \
	npm_config_target_arch=$(KEXMENU_NODE_ARCH) \
	npm_config_nodedir=$(STAGING_DIR)/usr \
	npm_config_python=$(HOST_DIR)/bin/python3 \
	npm_config_cache=$(BUILD_DIR)/.npm-cache \
	$(HOST_DIR)/bin/node \
	$(HOST_DIR)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js

define KEXMENU_BUILD_NODE_PTY
	@if [ ! -f $(@D)/node_modules/node-pty/binding.gyp ] || \
		[ ! -d $(@D)/node_modules/node-addon-api ]; then \
		echo "kexmenu: node_modules/node-pty or node-addon-api is missing in $(KEXMENU_SRC): run 'npm ci' there." >&2; \
		exit 1; \
	fi
	cd $(@D)/node_modules/node-pty && \
		$(KEXMENU_NODE_GYP) rebuild \
		--arch=$(KEXMENU_NODE_ARCH) \
		--nodedir=$(STAGING_DIR)/usr
endef

define KEXMENU_INSTALL_NODE_PTY
	rm -rf $(TARGET_DIR)/usr/lib/kexmenu/node_modules/node-pty
	$(INSTALL) -D -m 0644 $(@D)/node_modules/node-pty/package.json \
		$(TARGET_DIR)/usr/lib/kexmenu/node_modules/node-pty/package.json
	cp -R $(@D)/node_modules/node-pty/lib \
		$(TARGET_DIR)/usr/lib/kexmenu/node_modules/node-pty/lib
	$(INSTALL) -D -m 0755 $(@D)/node_modules/node-pty/build/Release/pty.node \
		$(TARGET_DIR)/usr/lib/kexmenu/node_modules/node-pty/build/Release/pty.node
endef
endif

define KEXMENU_BUILD_CMDS
	$(KEXMENU_CHECK_BUNDLE)
	$(KEXMENU_BUILD_NODE_PTY)
endef

define KEXMENU_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0644 $(@D)/dist/kexmenu.mjs \
		$(TARGET_DIR)/usr/lib/kexmenu/kexmenu.mjs
	$(INSTALL) -D -m 0644 $(@D)/dist/scan-worker.mjs \
		$(TARGET_DIR)/usr/lib/kexmenu/scan-worker.mjs
	$(INSTALL) -D -m 0755 $(KEXMENU_PKGDIR)/kexmenu.sh \
		$(TARGET_DIR)/usr/bin/kexmenu
	$(KEXMENU_INSTALL_NODE_PTY)
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
