// Well-formed ingest batches for the hub tests and benchmarks (no test-runner imports here, so
// bench/ can use it too).
import { randomUUID } from 'node:crypto';
import type { SyncBatch } from '../../src/core/sync/types.js';
import type { Sample } from '../../src/shared/model.js';
import { randomSamples } from '../helpers/random.js';

export function makeBatch(samples: Sample[], overrides: Partial<SyncBatch> = {}): SyncBatch {
  const fromTs = samples.length ? samples[0]!.ts - 1 : 0;
  const toTs = samples.length ? samples[samples.length - 1]!.ts : 0;
  return {
    machine: { id: overrides.machine?.id ?? AGENT_ID, name: 'test-agent' },
    agent: { state: 'running', intervalSeconds: 1, syncIntervalSeconds: 10, version: '0.1.0', healthUrl: 'http://10.0.0.5:7470/health', timeZone: 'Europe/Paris' },
    fromTs,
    toTs,
    samples,
    disks: [],
    hosts: [],
    ...overrides,
  };
}

export const AGENT_ID = randomUUID();

/** Samples ending just before `end` (default now), one per second. */
export function recentSamples(count: number, seed = 1, end = Date.now()): Sample[] {
  const start = Math.floor(end / 1000) * 1000 - count * 1000;
  return randomSamples(start, count, 1000, seed);
}

