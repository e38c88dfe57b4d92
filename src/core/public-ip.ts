// The machine's public (outside) address, as a third-party service sees it: optional and off by
// default, since every check tells that service where this machine is.
//
// One check at start, then one every `publicIp.intervalMinutes` (10). The address is part of the
// host snapshot (HostSnapshot.publicIp, merged in by the engine), so `vigil status`, the API and
// the host history show it, and a change is recorded like any other change of the host. When
// checks fail, the address becomes unknown — `{ address: null, since: <first failure> }` — rather
// than silently keeping a value that may be stale.
//
// Failures never touch sampling: the check is one asynchronous HTTP request with a deadline, its
// errors end here, and http-client (node:http rather than fetch(), whose WebAssembly parser
// would stay resident) is loaded only when the feature is on.
import type { FastifyInstance } from 'fastify';
import { VigilError } from '../shared/errors.js';
import type { PublicIpInfo } from '../shared/model.js';
import type { Settings } from '../shared/settings.js';
import { systemClock, type Clock } from './clock.js';
import { silentLogger, type Logger } from './log.js';
import { PeriodicTask } from './periodic.js';
import type { RouteModule, RuntimeContext, Service } from './runtime.js';

type PublicIpSettings = Settings['publicIp'];

/** Largest answer accepted: an address is at most 45 characters; JSON answers add a few fields. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** JSON fields that common lookup services put the address in (ipify, ipinfo, ip-api, httpbin …). */
const ADDRESS_FIELDS = ['ip', 'address', 'ipAddress', 'ip_address', 'ipAddr', 'query', 'origin'] as const;

/**
 * The address in a lookup service's answer: plain text ("203.0.113.7\n"), JSON (a string, or an
 * object with an `ip`-like field) or key=value lines with `ip=` (Cloudflare's trace). Throws a
 * VigilError naming what was wrong when the answer holds no valid IP address.
 */
export function parsePublicIpAnswer(body: string): string {
  const text = body.trim();
  if (!text) throw new VigilError('invalid_argument', 'empty answer');
  let candidate: unknown = text;
  if (/^[[{"]/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new VigilError('invalid_argument', `answer is not valid JSON: ${preview(text)}`);
    }
    candidate = typeof parsed === 'string' ? parsed : addressField(parsed);
    if (candidate === undefined) throw new VigilError('invalid_argument', `no address field (${ADDRESS_FIELDS.join(', ')}) in the JSON answer: ${preview(text)}`);
  } else {
    const ipLine = /^ip=(.*)$/m.exec(text);
    if (ipLine && text.includes('\n')) candidate = ipLine[1];
  }
  const address = normalizeAddress(candidate);
  if (address === null) throw new VigilError('invalid_argument', `answer is not an IP address: ${preview(text)}`);
  return address;
}

function addressField(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (const field of ADDRESS_FIELDS) if (Object.prototype.hasOwnProperty.call(record, field)) return record[field];
  return undefined;
}

const IPV4_PART = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${IPV4_PART}(\\.${IPV4_PART}){3}$`);

/**
 * A bare IPv4 or IPv6 address (IPv6 lower-cased), or null. Zone ids and CIDR suffixes are refused.
 * Checked without node:net, which the plain agent has not loaded (0.6 MB): IPv4 by pattern, IPv6
 * by the URL parser, which accepts exactly the RFC 4291 text forms.
 */
export function normalizeAddress(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (IPV4.test(text)) return text;
  if (!text.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  try {
    new URL(`http://[${text}]/`);
  } catch {
    return null;
  }
  return text.toLowerCase();
}

function preview(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return JSON.stringify(flat.length > 60 ? `${flat.slice(0, 60)}…` : flat);
}

/** One lookup: GET the URL, parse the answer. Rejects with a message fit for the log and the API. */
export async function lookupPublicIp(url: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const { httpRequest } = await import('./http-client.js');
  const response = await httpRequest({
    url,
    timeoutMs,
    signal,
    maxResponseBytes: MAX_ANSWER_BYTES,
    viaEnvProxy: true,
    headers: { accept: 'text/plain, application/json;q=0.9, */*;q=0.1', 'user-agent': 'vigil-public-ip' },
  });
  if (response.status < 200 || response.status > 299) {
    throw new VigilError('io_error', `HTTP ${response.status} from the lookup service: ${preview(response.text())}`);
  }
  return parsePublicIpAnswer(response.text());
}

/** What the API shows: the address (or unknown since …), and when it was last and will next be checked. */
export interface PublicIpStatus {
  enabled: boolean;
  /** The lookup service (credentials in the URL are never shown). */
  url: string;
  address: string | null;
  /** Since when the address (or, with address null, the failure) holds; null before the first check. */
  since: number | null;
  /** When the last check ended; null before the first one. */
  checkedAt: number | null;
  nextCheckAt: number | null;
  /** Why the address is unknown (the last failure); null while it is known. */
  error: string | null;
}

export type PublicIpLookup = (url: string, timeoutMs: number, signal: AbortSignal) => Promise<string>;

export interface PublicIpServiceOptions {
  settings: Settings;
  /** Receives every change of the state (the engine merges it into host snapshots); undefined when off. */
  report(info: PublicIpInfo | undefined): void;
  /** The state to continue from (the last recorded one), so a restart keeps `since`. */
  initial?: PublicIpInfo;
  clock?: Clock;
  logger?: Logger;
  /** The check itself; default lookupPublicIp (tests inject failures and answers here). */
  lookup?: PublicIpLookup;
}

export class PublicIpService implements Service {
  readonly name = 'public-ip';
  private settings: PublicIpSettings;
  private readonly report: (info: PublicIpInfo | undefined) => void;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lookup: PublicIpLookup;
  private info: PublicIpInfo | undefined;
  private running = false;
  /** A check every publicIp.intervalMinutes, single-flight; a check superseded (settings changed, stop()) is aborted and reports nothing. */
  private readonly checks: PeriodicTask;
  private checkedAt: number | null = null;
  private lastError: string | null = null;

  constructor(options: PublicIpServiceOptions) {
    this.settings = options.settings.publicIp;
    this.report = options.report;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.lookup = options.lookup ?? lookupPublicIp;
    this.info = options.initial;
    this.checks = new PeriodicTask(this.clock, { name: 'public IP check', logger: this.logger, everyMs: () => this.settings.intervalMinutes * 60_000 }, ({ signal }) => this.check(signal));
  }

  start(): void {
    this.running = true;
    this.reconfigure(true);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.checks.stop();
  }

  applySettings(settings: Settings): void {
    const previous = this.settings;
    this.settings = settings.publicIp;
    if (JSON.stringify(previous) === JSON.stringify(this.settings)) return;
    // A new URL or deadline deserves a check now; only the interval changed: just reschedule.
    const checkNow = previous.enabled !== this.settings.enabled || previous.url !== this.settings.url || previous.timeoutSeconds !== this.settings.timeoutSeconds;
    if (this.running) this.reconfigure(checkNow);
  }

  status(): PublicIpStatus {
    return {
      enabled: this.settings.enabled,
      url: redactUrl(this.settings.url),
      address: this.settings.enabled ? (this.info?.address ?? null) : null,
      since: this.settings.enabled ? (this.info?.since ?? null) : null,
      checkedAt: this.checkedAt,
      nextCheckAt: this.settings.enabled ? this.checks.nextRunAt : null,
      error: this.settings.enabled && this.info?.address === null ? this.lastError : null,
    };
  }

  /** Runs a check now (single-flight: a check already running is awaited instead). */
  checkNow(): Promise<void> {
    return this.checks.runNow();
  }

  private async check(signal: AbortSignal): Promise<void> {
    const { url, timeoutSeconds } = this.settings;
    let address: string;
    try {
      address = await this.lookup(url, timeoutSeconds * 1000, signal);
    } catch (error) {
      if (!signal.aborted) this.failed(error);
      return;
    }
    if (!signal.aborted) this.succeeded(address);
  }

  private reconfigure(checkNow: boolean): void {
    if (!this.settings.enabled) {
      void this.checks.stop();
      this.info = undefined;
      this.lastError = null;
      this.publish();
      return;
    }
    if (checkNow) void this.checks.restart();
    else this.checks.reschedule();
  }

  private succeeded(address: string): void {
    const now = this.clock.now();
    this.checkedAt = now;
    if (this.info?.address === null) this.logger.info('public IP known again', { address });
    else if (this.info && this.info.address !== address) this.logger.info('public IP changed', { from: this.info.address, to: address });
    else if (!this.info) this.logger.info('public IP', { address });
    this.lastError = null;
    if (this.info?.address !== address) this.info = { address, since: now };
    this.publish();
  }

  private failed(error: unknown): void {
    const now = this.clock.now();
    this.checkedAt = now;
    const message = error instanceof Error ? error.message : String(error);
    // Once per episode at warn; the next failures of the same episode at debug.
    if (this.info?.address !== null) this.logger.warn('public IP unknown: the check failed', { url: redactUrl(this.settings.url), error: message });
    else this.logger.debug('public IP check failed again', { error: message });
    this.lastError = message;
    if (this.info?.address !== null) this.info = { address: null, since: now };
    this.publish();
  }

  private publish(): void {
    try {
      this.report(this.info);
    } catch (error) {
      this.logger.error('could not record the public IP', { error });
    }
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username) parsed.username = '***';
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * The feature as the runtime takes it: a service (always created, so that turning the setting on
 * with SIGHUP or the settings window starts it) and the API route, sharing the one instance.
 *   GET /api/public-ip → PublicIpStatus
 */
export function publicIpFeature(options: { clock?: Clock; lookup?: PublicIpLookup } = {}): {
  service: (context: RuntimeContext) => Service;
  routes: RouteModule;
  current(): PublicIpService | null;
} {
  let instance: PublicIpService | null = null;
  return {
    service(context) {
      instance = new PublicIpService({
        settings: context.settings(),
        report: (info) => context.engine.setPublicIp(info),
        // The engine carries the last recorded state over a restart when the feature is on.
        initial: context.settings().publicIp.enabled ? context.engine.host()?.host.publicIp : undefined,
        logger: context.logger,
        clock: options.clock,
        lookup: options.lookup,
      });
      return instance;
    },
    routes(app: FastifyInstance, context: RuntimeContext) {
      app.get('/api/public-ip', { schema: { summary: "This machine's public IP address and the state of its lookup" } }, async (_request, reply) => {
        void reply.header('cache-control', 'no-store');
        if (instance) return instance.status();
        const settings = context.settings().publicIp;
        const info = context.engine.host()?.host.publicIp;
        return {
          enabled: settings.enabled,
          url: redactUrl(settings.url),
          address: info?.address ?? null,
          since: info?.since ?? null,
          checkedAt: null,
          nextCheckAt: null,
          error: null,
        } satisfies PublicIpStatus;
      });
    },
    current: () => instance,
  };
}
