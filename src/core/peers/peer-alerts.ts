// Peer events → alert changes with the words people read in the email: which machine, since
// when, why, how it was doing last (its own latest sample, from its /health), seen from where.
import { formatLocalIso } from '../../shared/dates.js';
import { formatBits, formatBytes, formatDuration, formatPercent } from '../../shared/units.js';
import type { AlertChange } from '../alerts/types.js';
import type { LatestSummary } from '../server/health.js';
import type { PeerConfig } from './config.js';
import type { PeerEvent } from './tracker.js';

export interface PeerAlertContext {
  /** This machine (the watcher). */
  self: string;
  intervalMs: number;
  timeoutMs: number;
  failuresBeforeDown: number;
  rebootNotice: boolean;
}

export const peerKey = (name: string): string => `peer:${name}`;

export function peerAlert(peer: PeerConfig, event: PeerEvent, context: PeerAlertContext): AlertChange | null {
  const key = peerKey(peer.name);
  const where = `Watched from ${context.self}: ${peer.healthUrl}`;
  switch (event.type) {
    case 'down': {
      const why =
        event.missedDeadline !== null
          ? `${peer.name} announced it was going to sleep until ${formatLocalIso(event.missedDeadline)}, and has not answered since (${event.reason}).`
          : `${peer.name} did not answer ${context.failuresBeforeDown} checks in a row (every ${seconds(context.intervalMs)}, timeout ${seconds(context.timeoutMs)}): ${event.reason}.`;
      return {
        key,
        severity: 'problem',
        kind: 'peer_down',
        machine: peer.name,
        title: `${peer.name} is DOWN`,
        since: event.since,
        at: event.at,
        details: [
          why,
          event.lastSeen !== null ? `Last answer: ${formatLocalIso(event.lastSeen)}.` : 'It has not answered since this watcher started.',
          lastKnown(event.health?.latest ?? null, peer),
          where,
        ],
      };
    }
    case 'up':
      return {
        key,
        severity: 'recovery',
        kind: 'peer_up',
        machine: peer.name,
        title: `${peer.name} is UP again`,
        since: event.at,
        at: event.at,
        details: [
          `${peer.name} answers again.`,
          ...(event.rebooted && event.health.bootTime !== null ? [`It rebooted meanwhile (booted at ${formatLocalIso(event.health.bootTime)}).`] : []),
          now(event.health.latest, peer),
          where,
        ],
      };
    case 'reboot':
      if (!context.rebootNotice) return null;
      return {
        key: `${key}:reboot`,
        severity: 'notice',
        kind: 'peer_reboot',
        machine: peer.name,
        title: `${peer.name} rebooted unexpectedly`,
        since: event.bootTime,
        at: event.at,
        details: [
          `${peer.name} booted at ${formatLocalIso(event.bootTime)} (previous boot: ${formatLocalIso(event.previousBoot)}), without announcing it, ` +
            `and was back within ${formatDuration(context.failuresBeforeDown * context.intervalMs)}, before it could be reported DOWN.`,
          now(event.health.latest, peer),
          where,
        ],
      };
    default:
      return null;
  }
}

function lastKnown(latest: LatestSummary | null, peer: PeerConfig): string {
  if (!latest) {
    return peer.token
      ? 'Last known CPU/RAM/network: not reported by the peer.'
      : "Last known CPU/RAM/network: unknown (set the peer's token to receive its figures).";
  }
  return `Last known, at ${formatLocalIso(latest.ts)}: ${figures(latest)}.`;
}

function now(latest: LatestSummary | null, peer: PeerConfig): string {
  return latest ? `Now: ${figures(latest)}.` : lastKnown(null, peer);
}

export function figures(latest: LatestSummary): string {
  const memoryPercent = latest.memoryTotalBytes > 0 ? (100 * latest.memoryUsedBytes) / latest.memoryTotalBytes : null;
  return (
    `CPU ${formatPercent(latest.cpuPercent)}, ` +
    `memory ${formatBytes(latest.memoryUsedBytes)} of ${formatBytes(latest.memoryTotalBytes)} (${formatPercent(memoryPercent)}), ` +
    `network in ${formatBits(latest.netRxBitsPerSecond)}, out ${formatBits(latest.netTxBitsPerSecond)}`
  );
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

