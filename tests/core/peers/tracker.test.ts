import { describe, expect, it } from 'vitest';
import type { CheckResult, PeerHealth } from '../../../src/core/peers/health-check.js';
import { PeerTracker, type PeerEvent } from '../../../src/core/peers/tracker.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const BOOT = T0 - 3 * 24 * 3600_000;

function health(overrides: Partial<PeerHealth> = {}): PeerHealth {
  return { id: 'peer-id', name: 'web-1', state: 'running', bootTime: BOOT, uptimeSeconds: 3600, sleepUntil: null, latest: null, ...overrides };
}
const ok = (h: Partial<PeerHealth> = {}): CheckResult => ({ ok: true, health: health(h), latencyMs: 1 });
const fail = (message = 'connection refused'): CheckResult => ({ ok: false, failure: 'refused', message, reached: true, localNetwork: false });

/** Feeds results one check interval (5 s) apart, returns all events with their check index. */
function run(tracker: PeerTracker, results: CheckResult[], start = T0, everyMs = 5000): { i: number; event: PeerEvent }[] {
  const out: { i: number; event: PeerEvent }[] = [];
  results.forEach((result, i) => {
    for (const event of tracker.observe(result, start + i * everyMs)) out.push({ i, event });
  });
  return out;
}

describe('PeerTracker', () => {
  it('UP → PENDING → DOWN after K failures, once; then UP with the outage start', () => {
    const tracker = new PeerTracker({ failuresBeforeDown: 3 });
    const events = run(tracker, [ok(), fail(), fail(), fail(), fail(), fail(), ok()]);
    expect(events.map((e) => [e.i, e.event.type])).toEqual([
      [0, 'up'], // first answer since start (closes an outage recorded before, if any)
      [3, 'down'],
      [6, 'up'],
    ]);
    const down = events[1]!.event as Extract<PeerEvent, { type: 'down' }>;
    expect(down.since).toBe(T0 + 5000); // the first failed check
    expect(down.lastSeen).toBe(T0);
    expect(down.reason).toBe('connection refused');
    const up = events[2]!.event as Extract<PeerEvent, { type: 'up' }>;
    expect(up.downSince).toBe(T0 + 5000);
    expect(up.rebooted).toBe(false);
    expect(tracker.state).toBe('up');
  });

  it('a blip (fewer than K failures) raises nothing and resets the count', () => {
    const tracker = new PeerTracker({ failuresBeforeDown: 3 });
    const events = run(tracker, [ok(), fail(), fail(), ok(), fail(), fail(), ok(), fail()]);
    expect(events.map((e) => e.event.type)).toEqual(['up']);
    expect(tracker.state).toBe('pending');
    expect(tracker.failures).toBe(1);
  });

  it('flapping around K: each real outage is one down and one up, never more', () => {
    const tracker = new PeerTracker({ failuresBeforeDown: 2 });
    const pattern = [ok(), fail(), fail(), fail(), ok(), fail(), ok(), fail(), fail(), ok(), ok()];
    const types = run(tracker, pattern).map((e) => `${e.i}:${e.event.type}`);
    expect(types).toEqual(['0:up', '2:down', '4:up', '8:down', '9:up']);
  });

  it('K = 1: the first failure is DOWN', () => {
    const tracker = new PeerTracker({ failuresBeforeDown: 1 });
    expect(run(tracker, [ok(), fail()]).map((e) => e.event.type)).toEqual(['up', 'down']);
  });

  it('SLEEPING: silence before its deadline is not counted; after the deadline K failures are DOWN since the deadline', () => {
    const tracker = new PeerTracker({ failuresBeforeDown: 3 });
    const deadline = T0 + 60_000;
    const results = [ok(), ok({ state: 'sleeping', sleepUntil: deadline }), ...Array.from({ length: 20 }, () => fail('no answer within 5 s'))];
    const events = run(tracker, results);
    expect(events.map((e) => e.event.type)).toEqual(['up', 'sleeping', 'down']);
    const down = events[2]!;
    // Checks at T0+60 s, +65 s, +70 s are the three after the deadline.
    expect(T0 + down.i * 5000).toBe(deadline + 10_000);
    const event = down.event as Extract<PeerEvent, { type: 'down' }>;
    expect(event.missedDeadline).toBe(deadline);
    expect(event.since).toBe(deadline);
  });

  it('SLEEPING without a deadline: no DOWN however long it is silent; back → woke, no alert, no reboot notice', () => {
    const tracker = new PeerTracker({ failuresBeforeDown: 3 });
    const results = [ok(), ok({ state: 'sleeping', sleepUntil: null }), ...Array.from({ length: 500 }, () => fail()), ok({ bootTime: BOOT + 7 * 24 * 3600_000, uptimeSeconds: 5 })];
    expect(run(tracker, results).map((e) => e.event.type)).toEqual(['up', 'sleeping', 'woke']);
    expect(tracker.state).toBe('up');
  });

  it('an unexpected reboot (new boot time, agent restarted, never DOWN) is a notice; a clock step is not', () => {
    const tracker = new PeerTracker({ failuresBeforeDown: 3 });
    const rebootAt = T0 + 8000;
    const events = run(tracker, [ok(), fail(), ok({ bootTime: rebootAt, uptimeSeconds: 2 })]);
    expect(events.map((e) => e.event.type)).toEqual(['up', 'reboot']);
    const reboot = events[1]!.event as Extract<PeerEvent, { type: 'reboot' }>;
    expect(reboot.previousBoot).toBe(BOOT);
    expect(reboot.bootTime).toBe(rebootAt);

    // The peer's clock was stepped by 10 minutes: its derived boot time moves, but its agent
    // has been running all along (uptime longer than our silence).
    const stepped = new PeerTracker({ failuresBeforeDown: 3 });
    const moved = run(stepped, [ok(), ok({ bootTime: BOOT + 600_000, uptimeSeconds: 3605 })]);
    expect(moved.map((e) => e.event.type)).toEqual(['up']);
  });

  it('a reboot while this watcher itself was restarting is noticed from the remembered boot time', () => {
    const lastSeen = T0 - 120_000;
    const remembered = { lastSeen, health: health() };
    const rebooted = new PeerTracker({ failuresBeforeDown: 3, ...remembered });
    const events = run(rebooted, [ok({ bootTime: T0 - 30_000, uptimeSeconds: 25 })]);
    expect(events.map((e) => e.event.type)).toEqual(['up', 'reboot']);
    expect((events[0]!.event as Extract<PeerEvent, { type: 'up' }>).rebooted).toBe(true);
    expect((events[1]!.event as Extract<PeerEvent, { type: 'reboot' }>).previousBoot).toBe(BOOT);

    // Same boot time as remembered: nothing happened meanwhile.
    const same = new PeerTracker({ failuresBeforeDown: 3, ...remembered });
    expect(run(same, [ok({ uptimeSeconds: 3600 })]).map((e) => e.event.type)).toEqual(['up']);
  });

  it('a reboot seen through an outage is part of the recovery, not a separate notice', () => {
    const tracker = new PeerTracker({ failuresBeforeDown: 2 });
    const events = run(tracker, [ok(), fail(), fail(), ok({ bootTime: T0 + 12_000, uptimeSeconds: 3 })]);
    expect(events.map((e) => e.event.type)).toEqual(['up', 'down', 'up']);
    expect((events[2]!.event as Extract<PeerEvent, { type: 'up' }>).rebooted).toBe(true);
  });

  it('reset() forgets failures counted while this machine could not be trusted', () => {
    const tracker = new PeerTracker({ failuresBeforeDown: 3 });
    run(tracker, [ok(), fail(), fail()]);
    expect(tracker.state).toBe('pending');
    tracker.reset();
    expect(tracker.state).toBe('up');
    expect(run(tracker, [fail(), fail()], T0 + 60_000).map((e) => e.event.type)).toEqual([]);
    expect(run(tracker, [fail()], T0 + 70_000).map((e) => e.event.type)).toEqual(['down']);
  });

  it('starts from the remembered last answer (after this watcher restarted)', () => {
    const remembered = health({ latest: { ts: T0 - 1000, cpuPercent: 12.5, memoryUsedBytes: 1024, memoryTotalBytes: 4096, netRxBitsPerSecond: 8, netTxBitsPerSecond: 16 } });
    const tracker = new PeerTracker({ failuresBeforeDown: 2, lastSeen: T0 - 1000, health: remembered });
    const events = run(tracker, [fail(), fail()]);
    const down = events[0]!.event as Extract<PeerEvent, { type: 'down' }>;
    expect(down.lastSeen).toBe(T0 - 1000);
    expect(down.health?.latest?.cpuPercent).toBe(12.5);
  });
});
