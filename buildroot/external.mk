include $(sort $(wildcard $(BR2_EXTERNAL_KEXMENU_PATH)/package/*/*.mk))
