// `vigil status`'s sync line: a lag within two send intervals is normal batching ("up to date
// (sends every 10 s)"), not "5/10 samples behind", which reads as failing; past that, the lag.
import { describe, expect, it } from 'vitest';
import { syncLines, type SyncTargetReport } from '../../../src/core/sync/status.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

function report(overrides: Partial<SyncTargetReport>): SyncTargetReport {
  return { name: 'hub', endpoint: 'https://hub:7471', state: 'idle', cursor: null, pendingSamples: 0, lagSeconds: 0, lastSuccessAt: NOW - 3000, lastError: null, nextAttemptAt: null, notKeptSamples: 0, sendIntervalSeconds: 10, ...overrides };
}

describe('sync status line', () => {
  it('says up to date while the lag stays within two send intervals, and how far behind past that', () => {
    expect(syncLines([report({ pendingSamples: 0 })], NOW)[0]).toBe('Sync     hub https://hub:7471: caught up, last sent 3 s ago');
    expect(syncLines([report({ pendingSamples: 5, lagSeconds: 5 })], NOW)[0]).toBe('Sync     hub https://hub:7471: up to date (sends every 10 s), last sent 3 s ago');
    expect(syncLines([report({ state: 'sending', pendingSamples: 20, lagSeconds: 20 })], NOW)[0]).toBe('Sync     hub https://hub:7471: up to date (sends every 10 s), last sent 3 s ago');
    expect(syncLines([report({ pendingSamples: 21, lagSeconds: 21 })], NOW)[0]).toBe('Sync     hub https://hub:7471: 21 samples behind (lag 21 s), last sent 3 s ago');
    expect(syncLines([report({ state: 'sending', pendingSamples: 300, lagSeconds: 300 })], NOW)[0]).toContain('sending, 300 samples behind (lag 5 min)');
    // Unreachable is never "up to date", however small the lag.
    expect(syncLines([report({ state: 'retrying', pendingSamples: 5, lagSeconds: 5, nextAttemptAt: NOW + 4000 })], NOW)[0]).toContain('unreachable, retrying in 4 s; 5 samples behind (lag 5 s)');
    // Without the interval (settings unreadable), the lag as it is.
    expect(syncLines([report({ pendingSamples: 5, lagSeconds: 5, sendIntervalSeconds: null })], NOW)[0]).toContain('5 samples behind (lag 5 s)');
  });
});
