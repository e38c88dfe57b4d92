// Peer entries: from settings (peers.list), from `--peer NAME=URL`, or learned from the hub.
// Small and dependency-free: the runtime imports it to decide whether the server must run.
import { VigilError } from '../../shared/errors.js';
import type { Settings } from '../../shared/settings.js';

export interface PeerConfig {
  /** Display name; unique among the peers. */
  name: string;
  /** The peer's /health URL. */
  healthUrl: string;
  /** Bearer token for the peer's server (lets /health include its latest figures); null for none. */
  token: string | null;
  /** Where the entry comes from. */
  origin: 'settings' | 'hub';
  /** The hub's machine id, for learned peers. */
  machineId?: string | null;
}

/**
 * The /health URL of a peer: a base URL (http://host:7470) gets /health appended; a URL that
 * already ends in /health is kept. A password in the URL (http://:TOKEN@host:7470) is the
 * peer's token, moved to the Authorization header.
 */
export function peerHealthUrl(text: string): { url: string; token: string | null } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new VigilError('invalid_argument', `Invalid peer URL ${JSON.stringify(text)}: expected http(s)://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new VigilError('invalid_argument', `Invalid peer URL ${JSON.stringify(text)}: http:// or https:// only`);
  }
  const token = url.password ? decodeURIComponent(url.password) : null;
  url.username = '';
  url.password = '';
  url.hash = '';
  if (!/\/health$/.test(url.pathname)) url.pathname = `${url.pathname.replace(/\/+$/, '')}/health`;
  return { url: url.toString(), token };
}

/** `--peer NAME=URL` → a settings entry. */
export function parsePeerFlag(text: string): { name: string; url: string } {
  const index = text.indexOf('=');
  const name = index > 0 ? text.slice(0, index).trim() : '';
  const url = index > 0 ? text.slice(index + 1).trim() : '';
  if (!name || !url) throw new VigilError('invalid_argument', `expected NAME=URL (e.g. web-1=http://10.0.0.5:7470), got ${JSON.stringify(text)}`);
  if (name.length > 128) throw new VigilError('invalid_argument', `peer name longer than 128 characters: ${name.slice(0, 20)}…`);
  peerHealthUrl(url);
  return { name, url };
}

/** The configured peers, validated (unique names, valid URLs). */
export function configuredPeers(settings: Pick<Settings, 'peers'>): PeerConfig[] {
  const seen = new Set<string>();
  return settings.peers.list.map((entry) => {
    if (seen.has(entry.name)) throw new VigilError('invalid_settings', `Two peers are named ${JSON.stringify(entry.name)}: peer names must be unique`);
    seen.add(entry.name);
    const { url, token } = peerHealthUrl(entry.url);
    return { name: entry.name, healthUrl: url, token: entry.token || token, origin: 'settings' as const };
  });
}

/** Whether peer watch runs: peers are listed, or they may be learned from the hub. */
export function peerWatchWanted(settings: Pick<Settings, 'peers' | 'sync'>): boolean {
  return settings.peers.list.length > 0 || (settings.peers.learnFromHub && settings.sync.enabled && settings.sync.url !== '');
}
