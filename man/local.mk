# man/local.mk: manual pages (mdoc).
dist_man_MANS += man/libmsg.7
