// What the sync Service (service.ts) is given, and the state of its loop per target.
import type { Settings } from '../../shared/settings.js';
import type { MachineState } from '../../shared/wire.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { MachineIdentity } from '../identity.js';
import type { Logger } from '../log.js';
import type { SampleStore } from '../storage/types.js';
import type { SyncTargetStatus } from './state.js';
import type { SyncTarget } from './types.js';

export interface SyncServiceOptions {
  dataDir: string;
  identity: MachineIdentity;
  logger: Logger;
  settings(): Settings;
  /** The machine's state, sent with every batch (the hub shows 'sleeping' rather than 'stale'). */
  state(): MachineState;
  /** While sleeping: the announced deadline (unix ms), else null; sent with the state. */
  sleepUntil?: () => number | null;
  /** The agent's /health URL when others can reach it; null otherwise. */
  healthUrl?: () => string | null;
  targets: SyncTarget[];
  clock?: Clock;
  random?: () => number;
  /** The store the outbox reads (default: a read-only connection to <data-dir>/vigil.db). */
  openStore?: () => SampleStore;
  /** First retry wait, ms (default 1 s); tests shorten it. */
  backoffBaseMs?: number;
  /**
   * Writes the engine's pending samples to the database. Called on stop, before a last delivery
   * to every target that was reachable, so a clean stop leaves the targets complete.
   */
  flush?: () => void;
  /** How long stop() may spend finishing sends and delivering the last samples (default 3 s). */
  stopGraceMs?: number;
}

export interface Worker {
  target: SyncTarget;
  status: SyncTargetStatus;
  batchSize: number;
  lastSentAt: number;
  /** The machine state (with its deadline, see stateKeyOf) of the last batch delivered… */
  lastSentState: string | null;
  /** …and of the last batch attempted, delivered or not. */
  lastAttemptedState: string | null;
  /** A state change to tell at once: the next attempt skips the wait, even a backoff. */
  announce: boolean;
  /** Said once per run that the target did not keep some samples. */
  warnedNotKept: boolean;
  wake: (() => void) | null;
  timer: TimerHandle | null;
  loop: Promise<void> | null;
}
