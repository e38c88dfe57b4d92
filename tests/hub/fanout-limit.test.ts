// The fan-out's limit of writes in flight (src/hub/fanout.ts limitSendsInFlight): however many
// machines have a backlog, at most `limit` sends run at once, the others wait in order, and a
// waiting send gives up when the hub stops.
import { describe, expect, it } from 'vitest';
import type { SyncBatch, SyncTarget } from '../../src/core/sync/types.js';
import { limitSendsInFlight } from '../../src/hub/fanout.js';
import { makeBatch } from './batches.js';

/** A target whose sends finish when the test says so. */
function heldTarget() {
  const started: number[] = [];
  const finish = new Map<number, () => void>();
  let running = 0;
  let most = 0;
  const target: SyncTarget = {
    name: 'influx',
    endpoint: 'http://127.0.0.1:1/write',
    send: (batch: SyncBatch) =>
      new Promise<void>((resolve) => {
        running++;
        most = Math.max(most, running);
        started.push(batch.fromTs);
        finish.set(batch.fromTs, () => {
          finish.delete(batch.fromTs);
          running--;
          resolve();
        });
      }),
  };
  return { target, started, finish, most: () => most };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const batch = (n: number) => makeBatch([], { fromTs: n, toTs: n });

describe('limitSendsInFlight', () => {
  it('runs at most the limit at once, the rest in order of arrival', async () => {
    const held = heldTarget();
    const limited = limitSendsInFlight(held.target, 4);
    const signal = new AbortController().signal;
    const sends = Array.from({ length: 10 }, (_, i) => limited.send(batch(i), signal));
    await tick();
    expect(held.started).toEqual([0, 1, 2, 3]);
    held.finish.get(2)!();
    await tick();
    expect(held.started).toEqual([0, 1, 2, 3, 4]);
    // Whatever runs finishes, until all have run.
    while (held.finish.size > 0) {
      for (const done of [...held.finish.values()]) done();
      await tick();
      await tick();
    }
    await Promise.all(sends);
    expect(held.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(held.most()).toBe(4);
  });

  it('a waiting send stops waiting when its signal aborts, and takes no turn', async () => {
    const held = heldTarget();
    const limited = limitSendsInFlight(held.target, 1);
    const first = limited.send(batch(1), new AbortController().signal);
    const stopping = new AbortController();
    const waiting = limited.send(batch(2), stopping.signal);
    const third = limited.send(batch(3), new AbortController().signal);
    await tick();
    stopping.abort(new Error('hub stopping'));
    await expect(waiting).rejects.toThrow('hub stopping');
    held.finish.get(1)!();
    await first;
    await tick();
    // The aborted one never ran; the next in line did.
    expect(held.started).toEqual([1, 3]);
    held.finish.get(3)!();
    await third;
  });

  it('a failed send frees its turn', async () => {
    let calls = 0;
    const limited = limitSendsInFlight(
      {
        name: 'influx',
        endpoint: 'x',
        send: async () => {
          calls++;
          throw new Error('refused');
        },
      },
      1,
    );
    const signal = new AbortController().signal;
    await expect(limited.send(batch(1), signal)).rejects.toThrow('refused');
    await expect(limited.send(batch(2), signal)).rejects.toThrow('refused');
    expect(calls).toBe(2);
  });
});
