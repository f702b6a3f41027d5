# man/local.mk: manual pages (mdoc).
dist_man_MANS += man/libmsg.7 man/libmsg.3 man/msg.1 man/supkit-workers.7
dist_man_MANS += man/supervisord.8 man/supervisorctl.8 man/supervisord.json.5
dist_man_MANS += man/msg_statem.3
dist_man_MANS += man/msg_event.3
