/** Exit codes a worker process ends with, as its nanny reads them. */

/** The scheduler asked for a restart (client.restart()): start a fresh worker at once. */
export const RESTART_EXIT_CODE = 4;

/** The worker lost its scheduler: start a fresh one, which registers anew once the scheduler is back. */
export const LOST_SCHEDULER_EXIT_CODE = 3;
