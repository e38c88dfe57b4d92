// Option values shared by several commands, validated where they are parsed so a bad flag gets
// one clear line and exit code 2 before anything is opened.
import { InvalidArgumentError } from 'commander';
import { defaultDataDir } from '../core/paths.js';
import { ALL_PANEL_KINDS, type PanelKind } from '../shared/panels.js';
import { influxSchema, LOG_LEVEL_VALUES, samplingSchema, serverSchema, type LogLevelSetting } from '../shared/settings.js';
import path from 'node:path';

const intervalBounds = samplingSchema.properties.intervalSeconds;

export function resolveDataDir(flag: string | undefined): string {
  return flag ? path.resolve(flag) : defaultDataDir();
}

/** --interval S: whole seconds within the settings schema's bounds (one source of truth). */
export function parseIntervalSeconds(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(value) || value < intervalBounds.minimum || value > intervalBounds.maximum) {
    throw new InvalidArgumentError(`expected whole seconds from ${intervalBounds.minimum} to ${intervalBounds.maximum}`);
  }
  return value;
}

const influxIntervalBounds = influxSchema.properties.intervalSeconds;

/** --influx-interval S: whole seconds within influx.intervalSeconds' bounds (0: every sample). */
export function parseInfluxInterval(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < influxIntervalBounds.minimum || value > influxIntervalBounds.maximum) {
    throw new InvalidArgumentError(`expected whole seconds from ${influxIntervalBounds.minimum} (every sample) to ${influxIntervalBounds.maximum}`);
  }
  return value;
}

export function parseLogLevel(text: string): LogLevelSetting {
  if (!(LOG_LEVEL_VALUES as readonly string[]).includes(text)) {
    throw new InvalidArgumentError(`expected one of ${LOG_LEVEL_VALUES.join(', ')}`);
  }
  return text as LogLevelSetting;
}

/** --port P: 0–65535 (0 picks a free port). */
export function parsePort(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return value;
}

/** --limit N: a whole number from 1 to 1000. */
export function parseLimit(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  return value;
}

/** --iface a --iface b,c → ['a', 'b', 'c'] (repeatable, comma-separated). */
export function collectNames(text: string, previous: string[] | undefined): string[] {
  const names = text.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('expected an interface name');
  return [...(previous ?? []), ...names];
}

/** A warning of a command that is not a long-running one (those log it): one line on stderr. */
export function warnOnStderr(warning: string | null): void {
  if (warning) process.stderr.write(`vigil: warning: ${warning}\n`);
}

/** --allowed-host NAME, repeatable (or comma-separated): a host name or address, a port is ignored. */
export function collectHosts(text: string, previous: string[] | undefined): string[] {
  const names = text.split(',').map((n) => n.trim()).filter(Boolean);
  const valid = new RegExp(ALLOWED_HOST_PATTERN);
  if (names.length === 0 || names.some((name) => name.length > 255 || !valid.test(name))) {
    throw new InvalidArgumentError(`expected a host name or address (e.g. vigil.lan or 192.168.1.5), got ${JSON.stringify(text)}`);
  }
  return [...(previous ?? []), ...names];
}

const ALLOWED_HOST_PATTERN = serverSchema.properties.allowedHosts.items.pattern;

/** --width W: an image width in pixels, 600–4000. */
export function parseWidth(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 600 || value > 4000) throw new InvalidArgumentError('expected a width in pixels from 600 to 4000');
  return value;
}

/** --count N: how many samples `vigil sample` prints, 1–86400 (a day at 1 s). */
export function parseCount(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > 86_400) throw new InvalidArgumentError('expected a whole number of samples from 1 to 86400');
  return value;
}

/** `--charts cpu,memory,net`: known chart names, in page order, each once. */
export function parseChartKinds(text: string): PanelKind[] {
  const names = text.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(ALL_PANEL_KINDS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`expected chart names from ${ALL_PANEL_KINDS.join(', ')}${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`);
  }
  return ALL_PANEL_KINDS.filter((kind) => names.includes(kind));
}
