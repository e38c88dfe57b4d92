// The one settings schema, shared by the agent (read through `conf`) and the tray app (through
// electron-store, which wraps conf): same JSON Schema, same file (<data-dir>/config.json), same
// format. Plain JSON Schema literals rather than a schema library: ajv inside conf validates them,
// json-schema-to-ts types them at compile time, and they cost nothing at run time — the agent's
// memory budget (50 MB, 41 MB of which is Node itself) has no room for a validation library of
// its own.
//
// The alerting sections (peers, smtp, alerts) are written in settings-alerting.ts; the check for
// keys the schema does not know is settings-unknown-keys.ts.
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { alertsSchema, peersSchema, smtpSchema } from './settings-alerting.js';

export const LOG_LEVEL_VALUES = ['error', 'warn', 'info', 'debug'] as const;

export const samplingSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Seconds between samples; ticks align to the wall clock. */
    intervalSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 1 },
    /** Seconds between disk-usage samples (disk usage moves slowly). */
    diskIntervalSeconds: { type: 'integer', minimum: 5, maximum: 86400, default: 60 },
  },
  required: ['intervalSeconds', 'diskIntervalSeconds'],
  default: {},
} as const satisfies JSONSchema;

export const storageSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Days of raw (per-tick) samples kept in SQLite; older ones survive as rollups. */
    rawRetentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
    /** Days of 1-minute min/avg/max rollups kept; 1-hour rollups are kept forever. */
    minuteRetentionDays: { type: 'integer', minimum: 1, maximum: 36500, default: 365 },
    /**
     * Seconds between database commits. Batching spares the disk a WAL page write every
     * second; the daily CSV gets every sample at once and re-feeds the DB after a hard kill.
     */
    flushSeconds: { type: 'integer', minimum: 1, maximum: 60, default: 5 },
  },
  required: ['rawRetentionDays', 'minuteRetentionDays', 'flushSeconds'],
  default: {},
} as const satisfies JSONSchema;

export const csvSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Days of daily CSV files kept in <data-dir>/telemetry; 0 keeps them forever. */
    retentionDays: { type: 'integer', minimum: 0, maximum: 36500, default: 30 },
    /**
     * The time column of an export when none is chosen there (the tray menu's one-click exports,
     * `vigil export` without --time-format): iso (2026-11-22T14:03:05+01:00), local (2026-11-22
     * 14:03:05, a date to LibreOffice and Excel) or unix (seconds). The daily files stay iso.
     */
    exportTimeFormat: { type: 'string', enum: ['iso', 'local', 'unix'], default: 'iso' },
  },
  required: ['retentionDays', 'exportTimeFormat'],
  default: {},
} as const satisfies JSONSchema;

export const logSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    level: { type: 'string', enum: LOG_LEVEL_VALUES, default: 'info' },
    /** A log file is rotated when it reaches this size. */
    maxFileMegabytes: { type: 'integer', minimum: 1, maximum: 1024, default: 5 },
    /** Rotated files kept (vigil.log.1 … .N). */
    maxFiles: { type: 'integer', minimum: 1, maximum: 100, default: 5 },
  },
  required: ['level', 'maxFileMegabytes', 'maxFiles'],
  default: {},
} as const satisfies JSONSchema;

export const machineSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Display name for the hub, peers and alerts; empty = the hostname. */
    name: { type: 'string', maxLength: 128, default: '' },
  },
  required: ['name'],
  default: {},
} as const satisfies JSONSchema;

/**
 * Host names a server without an access token answers, besides loopback names (127.0.0.1,
 * localhost, [::1]) and the address it is bound to: any other Host header is refused (403), so a
 * web page cannot reach the server through DNS rebinding. A port is ignored.
 */
const ALLOWED_HOSTS = {
  type: 'array',
  maxItems: 64,
  default: [],
  items: { type: 'string', minLength: 1, maxLength: 255, pattern: '^([A-Za-z0-9_.-]+|\\[?[0-9A-Fa-f:.]+\\]?)(:[0-9]{1,5})?$' },
} as const;

export const serverSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Run the local HTTP server (API, /health, /metrics) even without --ui. */
    enabled: { type: 'boolean', default: false },
    /** Serve the chart page at / as well as the API. */
    ui: { type: 'boolean', default: true },
    /** Loopback unless told otherwise; any other address requires an access token. */
    host: { type: 'string', minLength: 1, maxLength: 255, default: '127.0.0.1' },
    /** 0 picks any free port (the URL is logged at start). */
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 7470 },
    /** SHA-256 (hex) of the access token; the token itself is never stored. */
    tokenHash: { type: 'string', pattern: '^([0-9a-f]{64})?$', default: '' },
    /** Without a token: other names than loopback this server answers to (e.g. a name in /etc/hosts). */
    allowedHosts: ALLOWED_HOSTS,
    /**
     * Names on /metrics: vigil (vigil_*) or node (node_exporter's names and labels, for dashboards
     * made for node_exporter such as Grafana's "Node Exporter Full").
     */
    metricsNames: { type: 'string', enum: ['vigil', 'node'], default: 'vigil' },
  },
  required: ['enabled', 'ui', 'host', 'port', 'tokenHash', 'allowedHosts', 'metricsNames'],
  default: {},
} as const satisfies JSONSchema;

/**
 * A second sync target: InfluxDB 1.x, 2.x/3.x or VictoriaMetrics, in line protocol
 * (src/core/sync/influx-target.ts). A bucket selects the v2 API (/api/v2/write), otherwise the
 * v1 API (/write?db=). Like the hub token, the InfluxDB token is not in this file: it lives in
 * `tokenFile` (default <data-dir>/influx-token, mode 0600); none is needed for VictoriaMetrics or
 * an InfluxDB 1.x without auth. Delivery pacing (batch size, interval, backoff) is sync's. In a
 * hub's settings (vigil hub --influx URL), every machine's samples the hub stores go there, each
 * machine with its agent's tags (src/hub/fanout.ts).
 */
export const influxSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Send samples to the InfluxDB at `url`. Off by default. */
    enabled: { type: 'boolean', default: false },
    /** Base URL, e.g. http://127.0.0.1:8086 (InfluxDB) or http://127.0.0.1:8428 (VictoriaMetrics). */
    url: { type: 'string', maxLength: 2048, pattern: '^(https?://[^\\s]+)?$', default: '' },
    /** InfluxDB 1.x database (v1 API). */
    db: { type: 'string', maxLength: 255, default: '' },
    /** InfluxDB 2.x/3.x organization. */
    org: { type: 'string', maxLength: 255, default: '' },
    /** InfluxDB 2.x/3.x bucket; when set, the v2 API is used. */
    bucket: { type: 'string', maxLength: 255, default: '' },
    /** File holding the token (2.x/3.x API token, or user:password for 1.x); empty = <data-dir>/influx-token. */
    tokenFile: { type: 'string', maxLength: 4096, default: '' },
    /** PEM file of a CA to trust for an https server with a private or self-signed certificate. */
    caFile: { type: 'string', maxLength: 4096, default: '' },
    /**
     * 0: every sample as a point. N: one point per window of N seconds instead, holding the mean
     * of the window's samples, at the window's start (a multiple of N seconds since the Unix
     * epoch, UTC); a window is written once a later sample exists. See docs/integrations.md.
     */
    intervalSeconds: { type: 'integer', minimum: 0, maximum: 3600, default: 0 },
  },
  required: ['enabled', 'url', 'db', 'org', 'bucket', 'tokenFile', 'caFile', 'intervalSeconds'],
  default: {},
} as const satisfies JSONSchema;

/**
 * Agent → hub sync (src/core/sync). The token is NOT in this file: config.json is often
 * world-readable and copied around, and the agent must send the token itself (so it cannot be
 * kept as a hash). It lives alone in `tokenFile` (default <data-dir>/sync-token), written with
 * mode 0600; the agent warns when that file is readable by others.
 */
export const syncSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Send samples to the hub at `url`. Off by default. */
    enabled: { type: 'boolean', default: false },
    /** The hub's base URL, http:// or https:// (e.g. https://hub.example:7471). */
    url: { type: 'string', maxLength: 2048, pattern: '^(https?://[^\\s]+)?$', default: '' },
    /** File holding the hub token (one line, mode 0600); empty = <data-dir>/sync-token. */
    tokenFile: { type: 'string', maxLength: 4096, default: '' },
    /** PEM file of a CA to trust for an https hub with a private or self-signed certificate. */
    caFile: { type: 'string', maxLength: 4096, default: '' },
    /** Samples per batch (a day at 1 s is 86,400 samples: 173 batches when backfilling). */
    batchSamples: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
    /** Seconds between sends once caught up (samples wait at most this long to reach the hub). */
    intervalSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 10 },
    /** Longest wait between retries while the hub is unreachable (exponential backoff with jitter). */
    maxBackoffSeconds: { type: 'integer', minimum: 1, maximum: 86400, default: 300 },
  },
  required: ['enabled', 'url', 'tokenFile', 'caFile', 'batchSamples', 'intervalSeconds', 'maxBackoffSeconds'],
  default: {},
} as const satisfies JSONSchema;

/**
 * When the hub acknowledges a batch (hub.durability): `normal`, once it is committed to SQLite in
 * WAL mode with synchronous=NORMAL, i.e. acknowledged, not fsynced (a crash of the hub process loses
 * nothing; a power cut or an OS crash can lose the last commits, never corrupt a file); `full`,
 * once the commit is also fsynced (synchronous=FULL), at the cost of one fsync per write.
 */
export const HUB_DURABILITIES = ['normal', 'full'] as const;

/**
 * The hub (`vigil hub`, src/hub), read from the hub's own data dir. Machines' tokens are in
 * <hub-data-dir>/hub.db (hashed), not here.
 */
export const hubSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Loopback unless told otherwise; any other address requires tokenHash (the read API's token). */
    host: { type: 'string', minLength: 1, maxLength: 255, default: '127.0.0.1' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 7471 },
    /** SHA-256 (hex) of the token for the read API, fleet page and docs; ingest uses machine tokens. */
    tokenHash: { type: 'string', pattern: '^([0-9a-f]{64})?$', default: '' },
    /** A machine is stale after this many of its send intervals without news. */
    staleAfterIntervals: { type: 'integer', minimum: 1, maximum: 1000, default: 3 },
    /**
     * A machine that announced sleep without a deadline is stale after this many hours of silence
     * (with a deadline: once the deadline has passed). 0 = it stays "sleeping" until it reports.
     */
    maxSleepHours: { type: 'integer', minimum: 0, maximum: 8760, default: 24 },
    /** Per-machine databases kept open at once (least recently used are closed). */
    maxOpenStores: { type: 'integer', minimum: 1, maximum: 100000, default: 1024 },
    /** The hub samples and stores its own machine too. */
    sampleSelf: { type: 'boolean', default: true },
    /**
     * When a batch is acknowledged: "normal" once committed, not fsynced (a power cut can lose the
     * last commits, a hub crash cannot); "full" once committed and fsynced (SQLite synchronous=FULL).
     */
    durability: { type: 'string', enum: HUB_DURABILITIES, default: 'normal' },
    /** Serve HTTPS with this certificate (PEM, chain first) and key; both empty = plain HTTP (e.g. behind a TLS proxy). */
    tlsCertFile: { type: 'string', maxLength: 4096, default: '' },
    tlsKeyFile: { type: 'string', maxLength: 4096, default: '' },
    /** Without a token: other names than loopback the hub answers to (e.g. a name in /etc/hosts). */
    allowedHosts: ALLOWED_HOSTS,
  },
  required: ['host', 'port', 'tokenHash', 'staleAfterIntervals', 'maxSleepHours', 'maxOpenStores', 'sampleSelf', 'durability', 'tlsCertFile', 'tlsKeyFile', 'allowedHosts'],
  default: {},
} as const satisfies JSONSchema;

/**
 * The machine's public (outside) address, asked of a third-party service (src/core/public-ip.ts).
 * Off by default: it tells that service this machine's address every few minutes.
 */
export const publicIpSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: false },
    /** Answers with the caller's address as plain text or JSON ({"ip": "…"} and similar). */
    url: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^https?://[^\\s]+$', default: 'https://api.ipify.org' },
    /** Minutes between checks (one at start, then every N minutes). */
    intervalMinutes: { type: 'integer', minimum: 1, maximum: 1440, default: 10 },
    /** A check that takes longer fails (the address becomes unknown). */
    timeoutSeconds: { type: 'integer', minimum: 1, maximum: 120, default: 10 },
  },
  required: ['enabled', 'url', 'intervalMinutes', 'timeoutSeconds'],
  default: {},
} as const satisfies JSONSchema;

/** What a quota counts: received bytes, sent bytes, or both. */
export const TRAFFIC_DIRECTIONS = ['rx', 'tx', 'total'] as const;

/**
 * Traffic totals and quotas per network interface (src/core/traffic): totals per day and per
 * billing period, and an alert (through the alert pipeline) at 80, 90 and 100 % of a quota, with
 * the period's projected end.
 */
export const trafficSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Day of the month the billing period starts (the provider's counter restarts), 1–28. */
    resetDay: { type: 'integer', minimum: 1, maximum: 28, default: 1 },
    /**
     * Quotas by interface name: bytes per billing period, counted on what it receives (rx), sends
     * (tx) or both (total), e.g. { "eth0": { "bytes": 1000000000000, "direction": "total" } }.
     */
    quotas: {
      type: 'object',
      maxProperties: 64,
      default: {},
      propertyNames: { minLength: 1, maxLength: 128 },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          bytes: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
          direction: { type: 'string', enum: TRAFFIC_DIRECTIONS, default: 'total' },
        },
        required: ['bytes', 'direction'],
      },
    },
  },
  required: ['resetDay', 'quotas'],
  default: {},
} as const satisfies JSONSchema;

export const processesSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /**
     * Once a minute, record the 5 processes using the most CPU and the 5 using the most memory
     * (name, pid, CPU %, RSS), kept as long as the 1-minute rollups: the chart shows what was
     * running at a spike. Off: nothing is listed or stored.
     */
    recordTop: { type: 'boolean', default: true },
  },
  required: ['recordTop'],
  default: {},
} as const satisfies JSONSchema;

/**
 * Top-level sections, in conf's `schema` option form ({ key: schema }). Unknown keys *inside* a
 * section are errors (they are typos); unknown top-level sections are tolerated, so a settings
 * file written by a newer Vigil still opens in an older one.
 */
export const settingsSections = {
  sampling: samplingSchema,
  storage: storageSchema,
  csv: csvSchema,
  log: logSchema,
  machine: machineSchema,
  server: serverSchema,
  influx: influxSchema,
  sync: syncSchema,
  hub: hubSchema,
  publicIp: publicIpSchema,
  peers: peersSchema,
  smtp: smtpSchema,
  alerts: alertsSchema,
  traffic: trafficSchema,
  processes: processesSchema,
} as const;

export const settingsSchema = {
  type: 'object',
  properties: settingsSections,
  required: ['sampling', 'storage', 'csv', 'log', 'machine', 'server', 'sync', 'publicIp', 'peers', 'smtp', 'alerts', 'influx', 'hub', 'traffic', 'processes'],
} as const satisfies JSONSchema;

export type Settings = FromSchema<typeof settingsSchema>;
export type SamplingSettings = FromSchema<typeof samplingSchema>;
export type StorageSettings = FromSchema<typeof storageSchema>;
export type SyncSettings = FromSchema<typeof syncSchema>;
export type HubSettings = FromSchema<typeof hubSchema>;
export type InfluxSettings = FromSchema<typeof influxSchema>;
export type PeersSettings = FromSchema<typeof peersSchema>;
export type SmtpSettings = FromSchema<typeof smtpSchema>;
export type AlertsSettings = FromSchema<typeof alertsSchema>;
export type TrafficSettings = FromSchema<typeof trafficSchema>;
export type ProcessesSettings = FromSchema<typeof processesSchema>;
export type TrafficDirection = (typeof TRAFFIC_DIRECTIONS)[number];
export type HubDurability = (typeof HUB_DURABILITIES)[number];
export type LogLevelSetting = (typeof LOG_LEVEL_VALUES)[number];

/**
 * Every default in one object, read from the schema (each default is written once, on its
 * property; a missing section defaults to {} and ajv then fills its properties).
 */
export function defaultSettings(): Settings {
  const settings: Record<string, Record<string, unknown>> = {};
  for (const [section, schema] of Object.entries(settingsSections)) {
    settings[section] = Object.fromEntries(
      Object.entries(schema.properties as Record<string, { default?: unknown }>).map(([key, property]) => [key, property.default]),
    );
  }
  return settings as Settings;
}

/** A partial settings object, as CLI flags or a settings window produce. */
export type SettingsPatch = { [K in keyof Settings]?: Partial<Settings[K]> };

export function mergeSettings(base: Settings, patch: SettingsPatch): Settings {
  const merged = structuredClone(base) as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(patch)) {
    if (!values) continue;
    merged[section] = { ...(merged[section] ?? {}), ...values };
  }
  return merged as Settings;
}
