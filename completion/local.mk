# completion/local.mk: bash completion for supervisorctl and msg.
if HAVE_BASHCOMPLETIONDIR
dist_bashcompletion_DATA = completion/supervisorctl completion/msg
else
EXTRA_DIST += completion/supervisorctl completion/msg
endif
