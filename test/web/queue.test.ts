import { describe, expect, it } from 'vitest';
import { JobCancelledError, JobQueue, QueueFullError } from '../../src/web/index.js';

/** A job that finishes when `release()` is called. */
function gate() {
  let release = () => {};
  const done = new Promise<void>((r) => {
    release = r;
  });
  return { done, release: () => release() };
}

describe('JobQueue', () => {
  it('never runs more than `running` jobs and starts waiting jobs in order', async () => {
    const q = new JobQueue(2, 5);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const jobs = Array.from({ length: 7 }, (_, i) =>
      q.run(async () => {
        active += 1;
        peak = Math.max(peak, active);
        order.push(i);
        await new Promise((r) => setTimeout(r, 5));
        active -= 1;
        return i;
      }),
    );
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(q.load).toEqual({ running: 0, waiting: 0 });
  });

  it('rejects at once with QueueFullError past running + waiting', async () => {
    const q = new JobQueue(1, 1);
    const g = gate();
    const first = q.run(() => g.done);
    const second = q.run(async () => 'second');
    await expect(q.run(async () => 'third')).rejects.toBeInstanceOf(QueueFullError);
    expect(q.load).toEqual({ running: 1, waiting: 1 });
    g.release();
    await first;
    expect(await second).toBe('second');
    expect(await q.run(async () => 'again')).toBe('again');
  });

  it('a cancelled waiting job leaves the line without running', async () => {
    const q = new JobQueue(1, 2);
    const g = gate();
    const first = q.run(() => g.done);
    const controller = new AbortController();
    let ran = false;
    const waiting = q.run(async () => {
      ran = true;
    }, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(JobCancelledError);
    expect(q.load.waiting).toBe(0);
    g.release();
    await first;
    expect(ran).toBe(false);
    expect(q.load).toEqual({ running: 0, waiting: 0 });
  });

  it('a failing job frees its slot', async () => {
    const q = new JobQueue(1, 0);
    await expect(q.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await q.run(async () => 1)).toBe(1);
  });

  it('rejects bad sizes', () => {
    expect(() => new JobQueue(0, 1)).toThrow(/running/);
    expect(() => new JobQueue(1, -1)).toThrow(/waiting/);
  });
});
