// A recording Notifier and a pipeline on an in-memory (or file) alert store, for unit tests.
import { NotifierError, type Notifier, type OutgoingEmail, type SendResult } from '../../../src/core/alerts/notifier.js';
import { AlertPipeline, type AlertPolicy } from '../../../src/core/alerts/pipeline.js';
import { AlertStore } from '../../../src/core/alerts/store.js';
import type { AlertChange } from '../../../src/core/alerts/types.js';
import type { FakeClock } from '../../helpers/fake-clock.js';

export class FakeNotifier implements Notifier {
  readonly description = 'fake://smtp';
  readonly sent: (OutgoingEmail & { at: number })[] = [];
  attempts = 0;
  /** Set to make the next sends fail like a down server ('transport') or a refusal ('message'). */
  failWith: 'transport' | 'message' | null = null;
  /** Set to make sends hang until released (a crash mid-send). */
  hang = false;
  private release: (() => void) | null = null;

  constructor(private readonly clock?: FakeClock) {}

  async send(email: OutgoingEmail): Promise<SendResult> {
    this.attempts++;
    if (this.hang) await new Promise<void>((resolve) => (this.release = resolve));
    if (this.failWith === 'transport') throw new NotifierError('transport', 'connect ECONNREFUSED 127.0.0.1:25');
    if (this.failWith === 'message') throw new NotifierError('message', '550 5.1.1 mailbox unavailable');
    this.sent.push({ ...email, at: this.clock?.now() ?? Date.now() });
    return { accepted: [...email.to], rejected: [], response: '250 2.0.0 Ok: queued' };
  }

  unhang(): void {
    this.hang = false;
    this.release?.();
  }

  close(): void {}
}

export const POLICY: AlertPolicy = { digestMs: 60_000, reminderMs: 0, maxReminders: 0, quiet: null, retryMaxMs: 60_000, historyDays: 90 };

export function makePipeline(clock: FakeClock, options: { policy?: Partial<AlertPolicy>; store?: AlertStore; notifier?: FakeNotifier | null } = {}) {
  const store = options.store ?? AlertStore.open(':memory:');
  const notifier = options.notifier === undefined ? new FakeNotifier(clock) : options.notifier;
  const pipeline = new AlertPipeline({
    store,
    origin: { id: '00000000-0000-4000-8000-000000000001', name: 'watcher' },
    policy: { ...POLICY, ...options.policy },
    mail: notifier ? { notifier, from: 'vigil@example.org', to: ['ops@example.org'] } : null,
    clock,
    random: () => 1,
  });
  return { store, notifier, pipeline };
}

export function change(overrides: Partial<AlertChange> & Pick<AlertChange, 'key' | 'severity' | 'at'>): AlertChange {
  const machine = overrides.machine ?? overrides.key.replace(/^peer:/, '');
  return {
    kind: overrides.severity === 'problem' ? 'peer_down' : overrides.severity === 'recovery' ? 'peer_up' : 'peer_reboot',
    machine,
    title: overrides.severity === 'problem' ? `${machine} is DOWN` : overrides.severity === 'recovery' ? `${machine} is UP again` : `${machine} rebooted`,
    since: overrides.at,
    details: [],
    ...overrides,
  };
}

export const down = (key: string, at: number, since = at) => change({ key, severity: 'problem', at, since });
export const up = (key: string, at: number) => change({ key, severity: 'recovery', at });
