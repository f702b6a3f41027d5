/*
 * signame.h: signal names without "SIG" ("TERM"), both ways; the one
 * table the config, the control socket and the supervision core share.
 */
#ifndef SIGNAME_H
#define SIGNAME_H

/* NAME spelt as the table has it, or -1: supervisord.json(5), stop_signal. */
int		 signal_lookup(const char *name);

/*
 * NAME with or without "SIG", in any case, or a number, or -1:
 * supervisorctl(8), signal.
 */
int		 signal_number(const char *name);

/* SIGNO's name without "SIG", or "UNKNOWN". */
const char	*signal_name(int signo);

#endif /* SIGNAME_H */
