/*
 * log.h: the daemon's one logging API: stderr in the foreground, syslog
 * with -s, a log file in the background (OpenBSD log.c).
 */
#ifndef LOG_H
#define LOG_H

void	log_init(int to_syslog, const char *ident);
/* Lines to stderr begin with a UTC time and the pid (a log file). */
void	log_timestamps(int on);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

extern int log_verbose;

#endif /* LOG_H */
