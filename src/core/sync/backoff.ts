// Exponential backoff with jitter for retries against an unreachable target.
//
// "Equal jitter": the wait is drawn uniformly from [d/2, d], d = min(max, base·2^(n-1)). Half of it
// is random so a fleet of agents that lost the hub at the same moment does not come back in
// lock-step; half is fixed so no agent retries in a tight loop.
export interface BackoffPolicy {
  /** First wait, ms. */
  baseMs: number;
  /** Longest wait, ms. */
  maxMs: number;
}

/** The first wait of the sync service's backoff (the hub counts on it after a restart: src/hub/fleet-state.ts). */
export const SYNC_BACKOFF_BASE_MS = 1000;

/** The wait before retry number `failures` (1 = after the first failure). `random` ∈ [0, 1). */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 40);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
