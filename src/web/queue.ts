/**
 * A bounded job queue for the lab's heavy requests (edits, fits, figures): at most `running` jobs
 * at once and `waiting` more in line; past that `run` rejects at once with QueueFullError (the
 * server answers 503). A waiting job whose AbortSignal fires leaves the line without running.
 * Checked in test/web/queue.test.ts and by the load test in test/web/server.test.ts.
 */

/** Thrown when `running + waiting` jobs are already in the queue. */
export class QueueFullError extends Error {
  constructor(
    readonly running: number,
    readonly waiting: number,
  ) {
    super(`the server is busy (${running} jobs running, ${waiting} waiting); try again in a moment`);
  }
}

/** Thrown when a waiting job is cancelled before it started. */
export class JobCancelledError extends Error {
  constructor() {
    super('the request was cancelled before it started');
  }
}

interface Waiter {
  start: () => void;
  cancel: () => void;
}

export class JobQueue {
  private active = 0;
  private readonly line: Waiter[] = [];

  /**
   * @param running jobs that run at the same time (default 2, integer >= 1).
   * @param waiting jobs that may wait for a slot (default 8, integer >= 0).
   */
  constructor(
    readonly running = 2,
    readonly waiting = 8,
  ) {
    if (!(Number.isInteger(running) && running >= 1))
      throw new RangeError(`running must be an integer >= 1, got ${running}`);
    if (!(Number.isInteger(waiting) && waiting >= 0))
      throw new RangeError(`waiting must be an integer >= 0, got ${waiting}`);
  }

  /** Jobs running now and jobs waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.active, waiting: this.line.length };
  }

  /** Runs `job` when a slot is free; rejects with QueueFullError when the line is full. */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new JobCancelledError();
    if (this.active < this.running) this.active += 1;
    else if (this.line.length >= this.waiting) throw new QueueFullError(this.active, this.line.length);
    else await this.wait(signal); // a finishing job hands its slot over (active stays counted)
    try {
      return await job();
    } finally {
      const next = this.line.shift();
      if (next) next.start();
      else this.active -= 1;
    }
  }

  /** Waits in line until a finishing job hands over its slot (or the signal cancels the wait). */
  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => waiter.cancel();
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: () => {
          const i = this.line.indexOf(waiter);
          if (i >= 0) this.line.splice(i, 1);
          reject(new JobCancelledError());
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.line.push(waiter);
    });
  }
}
