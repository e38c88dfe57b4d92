// Flag parsers for peer watch and alerts (--peer, --alert-to, --for), and how those flags
// override the settings for one run. Small: cli.ts imports it for every command.
import { InvalidArgumentError } from 'commander';
import { parsePeerFlag } from '../../core/peers/config.js';
import { VigilError } from '../../shared/errors.js';
import type { Settings, SettingsPatch } from '../../shared/settings.js';

/** --peer NAME=URL, repeatable. */
export function collectPeers(text: string, previous: { name: string; url: string }[] | undefined): { name: string; url: string }[] {
  let peer: { name: string; url: string };
  try {
    peer = parsePeerFlag(text);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof VigilError ? error.message : String(error));
  }
  if (previous?.some((p) => p.name === peer.name)) throw new InvalidArgumentError(`peer ${JSON.stringify(peer.name)} given twice`);
  return [...(previous ?? []), peer];
}

/** --alert-to ADDRESS, repeatable (or comma-separated). */
export function collectAddresses(text: string, previous: string[] | undefined): string[] {
  const addresses = text.split(',').map((a) => a.trim()).filter(Boolean);
  if (addresses.length === 0 || addresses.some((a) => a.length < 3 || a.length > 320 || !a.includes('@'))) {
    throw new InvalidArgumentError(`expected an email address, got ${JSON.stringify(text)}`);
  }
  return [...(previous ?? []), ...addresses];
}

/** --for 90s | 10m | 2h | 1d | 600 (seconds): 1 s to 30 days. */
export function parseDurationSeconds(text: string): number {
  const match = /^(\d+)\s*(s|m|min|h|d)?$/i.exec(text.trim());
  const unit = { s: 1, m: 60, min: 60, h: 3600, d: 86400 }[(match?.[2] ?? 's').toLowerCase() as 's'];
  const seconds = match ? Number(match[1]) * unit : NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 30 * 86400) throw new InvalidArgumentError('expected a duration like 90s, 10m, 2h or 1d (at most 30 days)');
  return seconds;
}

export interface AlertFlags {
  peer?: { name: string; url: string }[];
  smtp?: string;
  alertFrom?: string;
  alertTo?: string[];
}

/** --peer replaces peers.list, --smtp/--alert-from/--alert-to the smtp fields, for this run only. */
export function alertOverrides(options: AlertFlags): SettingsPatch {
  const patch: SettingsPatch = {};
  if (options.peer) patch.peers = { list: options.peer };
  const smtp: SettingsPatch['smtp'] = {};
  // An empty $VIGIL_SMTP is no server (as an empty $VIGIL_TOKEN is no token).
  if (options.smtp !== undefined && options.smtp !== '') {
    if (!/^smtps?:\/\/[^\s/]+\/?$/.test(options.smtp)) {
      throw new VigilError('invalid_argument', '--smtp: expected smtp://user:password@host:port (STARTTLS) or smtps://user:password@host:port (TLS)');
    }
    smtp.url = options.smtp;
  }
  if (options.alertFrom !== undefined) smtp.from = options.alertFrom;
  if (options.alertTo !== undefined) smtp.to = options.alertTo;
  if (Object.keys(smtp).length > 0) patch.smtp = smtp;
  return patch;
}

/** The agent's local server URL from its settings (for `vigil sleep`), or null when it cannot be known. */
export function localServerUrl(settings: Pick<Settings, 'server'>): string | null {
  const { host, port } = settings.server;
  if (port === 0) return null;
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const address = bare === '0.0.0.0' ? '127.0.0.1' : bare === '::' ? '::1' : bare;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}
