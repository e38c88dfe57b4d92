import { afterEach, describe, expect, it } from 'vitest';
import type { AlertChange, AlertSink } from '../../../src/core/alerts/types.js';
import type { PeerConfig } from '../../../src/core/peers/config.js';
import type { CheckResult, PeerHealth } from '../../../src/core/peers/health-check.js';
import { PeerWatcher, WAKE_GRACE_MS, type PeerWatcherOptions, type Witness } from '../../../src/core/peers/watcher.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const S = 1000;
const SELF = { id: 'self-id', name: 'laptop' };
const peer = (name: string, extra: Partial<PeerConfig> = {}): PeerConfig => ({ name, healthUrl: `http://${name}.lan:7470/health`, token: null, origin: 'settings', ...extra });
const health = (name: string, extra: Partial<PeerHealth> = {}): PeerHealth => ({
  id: `${name}-id`,
  name,
  state: 'running',
  bootTime: 1_000_000,
  uptimeSeconds: 100_000,
  sleepUntil: null,
  latest: null,
  ...extra,
});

type Behaviour = 'up' | 'refused' | 'timeout' | 'silent' | 'no-route' | CheckResult;

class Network {
  readonly behaviour = new Map<string, Behaviour>();
  readonly checks: { name: string; at: number }[] = [];
  constructor(private readonly clock: FakeClock) {}

  check = async (p: PeerConfig, timeoutMs: number): Promise<CheckResult> => {
    this.checks.push({ name: p.name, at: this.clock.now() });
    const b = this.behaviour.get(p.name) ?? 'up';
    if (typeof b === 'object') return b;
    switch (b) {
      case 'up':
        return { ok: true, health: health(p.name), latencyMs: 1 };
      case 'refused':
        return { ok: false, failure: 'refused', message: 'connection refused', reached: true, localNetwork: false };
      case 'no-route':
        return { ok: false, failure: 'unreachable', message: 'no route to the network', reached: false, localNetwork: true };
      case 'silent':
      case 'timeout':
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, timeoutMs));
        return { ok: false, failure: 'timeout', message: `no answer within ${timeoutMs / 1000} s`, reached: false, localNetwork: false };
    }
  };
}

class RecordingSink implements AlertSink {
  readonly reports: { at: number; change: AlertChange }[] = [];
  constructor(private readonly clock: FakeClock) {}
  report(changes: AlertChange | readonly AlertChange[]): void {
    for (const change of Array.isArray(changes) ? changes : [changes]) this.reports.push({ at: this.clock.now(), change: change as AlertChange });
  }
  retain(): void {}
  kinds(): string[] {
    return this.reports.map((r) => `${r.change.kind}:${r.change.machine}`);
  }
}

const watchers: PeerWatcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.stop();
});

function setup(peers: PeerConfig[], options: Partial<PeerWatcherOptions> & { intervalMs?: number; timeoutMs?: number; k?: number } = {}) {
  const clock = new FakeClock();
  const network = new Network(clock);
  const sink = new RecordingSink(clock);
  const watcher = new PeerWatcher({
    self: SELF,
    peers,
    timing: { intervalMs: options.intervalMs ?? 5 * S, timeoutMs: options.timeoutMs ?? 5 * S, failuresBeforeDown: options.k ?? 3, rebootNotice: true },
    sink,
    clock,
    check: network.check,
    hasNetworkInterface: () => true,
    ...options,
  });
  watchers.push(watcher);
  return { clock, network, sink, watcher };
}

describe('PeerWatcher', () => {
  it('a peer that dies (connection refused) is DOWN after K checks: within interval × K, reported once', async () => {
    const { clock, network, sink, watcher } = setup([peer('web'), peer('db')]);
    watcher.start();
    await clock.advance(12 * S);
    const died = clock.now();
    network.behaviour.set('web', 'refused');
    await clock.advance(60 * S);
    expect(sink.kinds()).toEqual(['peer_up:web', 'peer_up:db', 'peer_down:web']);
    const down = sink.reports[2]!;
    expect(down.at - died).toBeLessThanOrEqual(5 * S * 3);
    expect(down.at - died).toBeGreaterThan(5 * S * 2);
    expect(down.change.since).toBeGreaterThan(died);
    expect(down.change.details.join('\n')).toContain('did not answer 3 checks in a row (every 5 s, timeout 5 s): connection refused');
    expect(watcher.statuses().find((s) => s.name === 'web')).toMatchObject({ state: 'down', failures: 3 });
  });

  it('a host that vanished (timeouts) is DOWN within interval × K + timeout', async () => {
    const { clock, network, sink, watcher } = setup([peer('web'), peer('db')]);
    watcher.start();
    await clock.advance(7 * S);
    const died = clock.now();
    network.behaviour.set('web', 'timeout');
    await clock.advance(60 * S);
    const down = sink.reports.find((r) => r.change.kind === 'peer_down')!;
    expect(down.at - died).toBeLessThanOrEqual(5 * S * 3 + 5 * S);
    expect(sink.kinds().filter((k) => k.startsWith('peer_down'))).toEqual(['peer_down:web']);
  });

  it('this machine offline (no peer answers, no witness): says so once after K rounds, marks nobody DOWN, and says when it is back', async () => {
    const { clock, network, sink, watcher } = setup([peer('web'), peer('db'), peer('nas')]);
    watcher.start();
    await clock.advance(1 * S);
    for (const name of ['web', 'db', 'nas']) network.behaviour.set(name, 'timeout');
    await clock.advance(10 * 60 * S);
    expect(sink.kinds()).toEqual(['peer_up:web', 'peer_up:db', 'peer_up:nas', 'network_down:laptop']);
    expect(watcher.offline).toBe(true);
    expect(watcher.statuses().every((s) => s.state === 'up')).toBe(true);
    for (const name of ['web', 'db', 'nas']) network.behaviour.set(name, 'up');
    await clock.advance(10 * S);
    expect(sink.kinds().slice(4)).toEqual(['network_up:laptop']);
    const [offline, online] = [sink.reports[3]!.change, sink.reports[4]!.change];
    expect(offline.title).toBe('laptop has no network');
    expect(online.since - offline.since).toBeGreaterThan(10 * 60 * S - 10 * S);
  });

  it('…but when a witness (hub, SMTP server) answers, the network is fine: the silent peers are DOWN', async () => {
    let witnessAnswers = true;
    const witness: Witness = { name: 'smtp', probe: async () => witnessAnswers };
    const { clock, network, sink, watcher } = setup([peer('web'), peer('db')], { witnesses: () => [witness] });
    watcher.start();
    await clock.advance(1 * S);
    network.behaviour.set('web', 'timeout');
    network.behaviour.set('db', 'timeout');
    await clock.advance(60 * S);
    expect(sink.kinds().filter((k) => k.startsWith('peer_down'))).toEqual(['peer_down:web', 'peer_down:db']);
    expect(watcher.offline).toBe(false);
    witnessAnswers = false;
    await clock.advance(60 * S);
    expect(sink.kinds()).toContain('network_down:laptop');
  });

  it('one peer and nothing else to ask: silence is the peer\'s (DOWN); "no route" is ours (offline)', async () => {
    const a = setup([peer('web')]);
    a.watcher.start();
    await a.clock.advance(1 * S);
    a.network.behaviour.set('web', 'timeout');
    await a.clock.advance(60 * S);
    expect(a.sink.kinds()).toEqual(['peer_up:web', 'peer_down:web']);

    const b = setup([peer('web')]);
    b.watcher.start();
    await b.clock.advance(1 * S);
    b.network.behaviour.set('web', 'no-route');
    await b.clock.advance(60 * S);
    expect(b.sink.kinds()).toEqual(['peer_up:web', 'network_down:laptop']);

    // No network interface with an address at all: offline too.
    const c = setup([peer('web')], { hasNetworkInterface: () => false });
    c.watcher.start();
    await c.clock.advance(1 * S);
    c.network.behaviour.set('web', 'timeout');
    await c.clock.advance(60 * S);
    expect(c.sink.kinds()).toEqual(['peer_up:web', 'network_down:laptop']);
  });

  it('this machine was suspended (wall clock jumped): failures right after waking are not counted', async () => {
    const { clock, network, sink, watcher } = setup([peer('web'), peer('db')]);
    watcher.start();
    await clock.advance(6 * S);
    // Suspended for an hour; on resume the peers do not answer yet (Wi-Fi reconnecting) but the
    // router does refuse connections, so the network "works".
    network.behaviour.set('web', 'refused');
    network.behaviour.set('db', 'refused');
    clock.suspend(3600 * S);
    await clock.advance(WAKE_GRACE_MS - 6 * S);
    network.behaviour.set('web', 'up');
    network.behaviour.set('db', 'up');
    await clock.advance(60 * S);
    expect(sink.kinds()).toEqual(['peer_up:web', 'peer_up:db']);
    // After the grace period, a real failure counts again.
    network.behaviour.set('db', 'refused');
    await clock.advance(20 * S);
    expect(sink.kinds()).toEqual(['peer_up:web', 'peer_up:db', 'peer_down:db']);
  });

  it('a peer that pushed "sleeping until T" is not DOWN before T, and is DOWN after missing it', async () => {
    const { clock, network, sink, watcher } = setup([peer('laptop2'), peer('db')]);
    watcher.start();
    await clock.advance(1 * S);
    const until = clock.now() + 120 * S;
    expect(watcher.announce(health('laptop2', { state: 'sleeping', sleepUntil: until }))).toBe(true);
    expect(watcher.announce(health('stranger', { state: 'sleeping' }))).toBe(false);
    network.behaviour.set('laptop2', 'timeout');
    await clock.advance(110 * S);
    expect(sink.kinds()).toEqual(['peer_up:laptop2', 'peer_up:db']);
    expect(watcher.statuses().find((s) => s.name === 'laptop2')).toMatchObject({ state: 'sleeping', sleepUntil: until });
    await clock.advance(60 * S);
    const down = sink.reports.find((r) => r.change.kind === 'peer_down')!;
    expect(down.change.machine).toBe('laptop2');
    expect(down.change.since).toBe(until);
    expect(down.change.details[0]).toContain('announced it was going to sleep until');
  });

  it('peers learned from the hub join the watch (not this machine, not a configured URL twice); removed ones leave it', async () => {
    const { clock, network, sink, watcher } = setup([peer('web')]);
    watcher.start();
    watcher.setLearned([
      peer('hub-box', { origin: 'hub', machineId: 'hub-box-id' }),
      peer('me', { origin: 'hub', machineId: SELF.id }),
      { ...peer('web'), name: 'web-again', origin: 'hub' },
      peer('web', { origin: 'hub', healthUrl: 'http://other-web:7470/health', machineId: 'x' }),
    ]);
    expect(watcher.statuses().map((s) => `${s.name}:${s.origin}`)).toEqual(['web:settings', 'hub-box:hub', 'web (hub):hub']);
    await clock.advance(1 * S);
    watcher.setLearned([]);
    network.behaviour.set('hub-box', 'refused');
    await clock.advance(60 * S);
    expect(watcher.statuses().map((s) => s.name)).toEqual(['web']);
    expect(sink.kinds().filter((k) => k.startsWith('peer_down'))).toEqual([]);
  });
});
