// The settings sections of alerting (see settings.ts, which assembles the one schema): which peers
// to watch, the SMTP server alerts go through, and what becomes an alert and when it is sent.
// docs/settings.md takes its descriptions from the comments here too (scripts/gen-settings-doc.ts).
import type { JSONSchema } from 'json-schema-to-ts';

/** A time of day, HH:MM (24 h), or empty for none. */
const TIME_OF_DAY = { type: 'string', pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9])?$', default: '' } as const;

/**
 * Peer watch (src/core/peers): this machine checks other machines' GET /health and alerts when
 * one stops answering. Watching peers also turns the local server on (so they can watch this
 * machine back); /health stays public, the rest of the API needs server.tokenHash's token.
 */
export const peersSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Machines to watch. url: the peer's base URL (http(s)://host:7470) or its /health URL. */
    list: {
      type: 'array',
      maxItems: 256,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 128 },
          url: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^https?://[^\\s]+$' },
          /** The peer's access token: /health is public, but only with it does /health include the peer's latest CPU/RAM/network. */
          token: { type: 'string', maxLength: 512 },
        },
        required: ['name', 'url'],
      },
    },
    /** Seconds between checks of every peer. */
    checkIntervalSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 5 },
    /** A check that takes longer fails. */
    timeoutSeconds: { type: 'integer', minimum: 1, maximum: 120, default: 5 },
    /** Consecutive failed checks before a peer is DOWN (the first failure makes it PENDING). */
    failuresBeforeDown: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    /**
     * Also watch the machines the hub lists with a health URL (when sync is on). Off by default:
     * the hub watches its machines itself, and every agent mailing about every other one would
     * multiply each alert by the size of the fleet.
     */
    learnFromHub: { type: 'boolean', default: false },
    /** Send a notice when a peer's boot time changes without an outage being seen (an unexpected reboot). */
    rebootNotice: { type: 'boolean', default: true },
  },
  required: ['list', 'checkIntervalSeconds', 'timeoutSeconds', 'failuresBeforeDown', 'learnFromHub', 'rebootNotice'],
  default: {},
} as const satisfies JSONSchema;

/** Outgoing mail for alerts (src/core/alerts): nodemailer over SMTP. */
export const smtpSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /**
     * smtps://user@host:465 (TLS from the first byte) or smtp://user@host:587 (STARTTLS when the
     * server offers it). Empty: alerts are kept in the history only. A password may be written
     * in the URL, but passwordFile keeps it out of config.json.
     */
    url: { type: 'string', maxLength: 2048, pattern: '^(smtps?://[^\\s]+)?$', default: '' },
    /** File holding the SMTP password (one line, mode 0600); used when the URL has none. */
    passwordFile: { type: 'string', maxLength: 4096, default: '' },
    /** smtp:// only: refuse to send unless the server offers STARTTLS. */
    requireTls: { type: 'boolean', default: false },
    /** PEM file of a CA to trust (a private or self-signed server certificate). */
    caFile: { type: 'string', maxLength: 4096, default: '' },
    /** The From address, e.g. "Vigil <vigil@example.org>". */
    from: { type: 'string', maxLength: 320, default: '' },
    /** Recipients. */
    to: { type: 'array', maxItems: 50, default: [], items: { type: 'string', minLength: 3, maxLength: 320 } },
  },
  required: ['url', 'passwordFile', 'requireTls', 'caFile', 'from', 'to'],
  default: {},
} as const satisfies JSONSchema;

/** What becomes an alert, and when alerts are sent (src/core/alerts). */
export const alertsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Changes within this many seconds after an email go out together as one digest (0: every change at once). */
    digestSeconds: { type: 'integer', minimum: 0, maximum: 3600, default: 60 },
    /** Minutes between reminders while something stays down (0: no reminders). */
    reminderMinutes: { type: 'integer', minimum: 0, maximum: 10080, default: 60 },
    /** Reminders per incident, at most. */
    maxReminders: { type: 'integer', minimum: 0, maximum: 100, default: 3 },
    /** Quiet hours (local time, HH:MM): emails wait until they end and go out as one digest. Both empty: none. */
    quietStart: TIME_OF_DAY,
    quietEnd: TIME_OF_DAY,
    /** Local thresholds, in %, 0 = off: alert when above for thresholdMinutes, recover when below for as long. */
    cpuPercent: { type: 'integer', minimum: 0, maximum: 100, default: 0 },
    memoryPercent: { type: 'integer', minimum: 0, maximum: 100, default: 0 },
    diskPercent: { type: 'integer', minimum: 0, maximum: 100, default: 0 },
    thresholdMinutes: { type: 'integer', minimum: 1, maximum: 1440, default: 5 },
    /** Longest wait between two attempts to hand an email to the SMTP server (exponential backoff). */
    retryMaxSeconds: { type: 'integer', minimum: 1, maximum: 86400, default: 300 },
    /** Days of alert history kept in <data-dir>/alerts.db. */
    historyDays: { type: 'integer', minimum: 1, maximum: 36500, default: 90 },
  },
  required: [
    'digestSeconds',
    'reminderMinutes',
    'maxReminders',
    'quietStart',
    'quietEnd',
    'cpuPercent',
    'memoryPercent',
    'diskPercent',
    'thresholdMinutes',
    'retryMaxSeconds',
    'historyDays',
  ],
  default: {},
} as const satisfies JSONSchema;
