# supervisord/local.mk: the daemon (not yet built).
