/*
 * survivors.h: one supervisord per run directory, and what a dead one
 * left running.
 */
#ifndef SURVIVORS_H
#define SURVIVORS_H

/*
 * Lock RUNDIR/supervisord.pid and pidfile (-p, may be NULL); -1 (logged)
 * when another one holds either.
 */
int	rundir_lock(const char *rundir, const char *pidfile);
void	rundir_lock_write(void);
void	rundir_unlock(void);
/* Stop the processes a dead supervisord on rundir left running. */
int	survivors_stop(const char *rundir);

#endif /* SURVIVORS_H */
