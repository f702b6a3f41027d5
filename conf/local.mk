# conf/local.mk: what `make install` puts besides the programs: the
# systemd unit, the default tree, the JSON Schema and the example trees.
# The installed demo names its workers @NAME (the worker directory), so
# that it runs from the installed files whatever PATH holds.

supkitconfdir = $(sysconfdir)/supkit
supkitdatadir = $(datadir)/supkit
supkitdata_DATA = conf/supervisord.schema.json conf/example.json \
	conf/entrypoint.json conf/demo-installed/demo.json

if HAVE_SYSTEMDUNITDIR
systemdsystemunit_DATA = conf/supervisord.service
endif

EXTRA_DIST += conf/supervisord.json conf/supervisord.service.in
CLEANFILES += conf/supervisord.service conf/demo-installed/demo.json

conf/supervisord.service: $(top_srcdir)/conf/supervisord.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@bindir[@]|$(bindir)|g' \
	    -e 's|@supkitconfdir[@]|$(supkitconfdir)|g' \
	    $(top_srcdir)/conf/supervisord.service.in >$@.tmp && mv $@.tmp $@

# conf/demo.json with the example workers as @NAME.
conf/demo-installed/demo.json: $(top_srcdir)/conf/demo.json Makefile
	$(AM_V_GEN)$(MKDIR_P) conf/demo-installed && sed -E \
	    's/"argv": \["(counter|echo|eventmgr|lightswitch)"/"argv": ["@\1"/g' \
	    $(top_srcdir)/conf/demo.json >$@.tmp && mv $@.tmp $@

# The default tree is the operator's: never overwrite an edited one.
install-data-local: install-supkitconf
install-supkitconf:
	$(MKDIR_P) '$(DESTDIR)$(supkitconfdir)'
	test -f '$(DESTDIR)$(supkitconfdir)/supervisord.json' || \
	    $(INSTALL_DATA) $(top_srcdir)/conf/supervisord.json \
	    '$(DESTDIR)$(supkitconfdir)/supervisord.json'
uninstall-local: uninstall-supkitconf
uninstall-supkitconf:
	rm -f '$(DESTDIR)$(supkitconfdir)/supervisord.json'
.PHONY: install-supkitconf uninstall-supkitconf

# distcheck installs as a user into its own prefix: keep the unit and the
# completions under it rather than in the system's directories.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-systemdsystemunitdir='$${prefix}/lib/systemd/system' \
	--with-bashcompletiondir='$${datadir}/bash-completion/completions'
