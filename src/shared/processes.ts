// The top-processes query, shared by `vigil top` (its flags), GET /api/processes (its query
// string) and the lister (src/core/metrics/processes.ts), so the three agree on the choices and
// the default. 15 rows: what `vigil top --help` has always shown, and about a terminal's height.
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

export const PROCESS_SORTS = ['cpu', 'mem'] as const;
export type ProcessSort = (typeof PROCESS_SORTS)[number];

/** Rows when the caller does not say. */
export const DEFAULT_PROCESS_LIMIT = 15;
export const MAX_PROCESS_LIMIT = 1000;

export const processesQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sort: { type: 'string', enum: PROCESS_SORTS, default: 'cpu' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PROCESS_LIMIT, default: DEFAULT_PROCESS_LIMIT },
  },
} as const satisfies JSONSchema;

/** The query as the route sees it once ajv has filled in the defaults. */
export type ProcessesQuery = Required<FromSchema<typeof processesQuerySchema>>;

// ---- what was running: the top processes of each minute, recorded by the engine ----------------

/** Processes kept per list (by CPU, by memory) for each minute. */
export const TOP_PER_MINUTE = 5;

/** One process of a minute's top lists. */
export interface TopProcess {
  pid: number;
  /** The short process name (Linux: the kernel's comm, 15 characters at most). */
  name: string;
  /** CPU time over wall time across the minute, in % of one CPU (200 = two busy cores). */
  cpuPercent: number;
  /** Resident memory (RSS) at the minute's end, bytes. */
  memoryBytes: number;
}

/** The top processes of one UTC minute [ts, ts + 60 s). */
export interface TopMinute {
  /** The minute's start, unix ms (a whole minute, as the 1-minute rollups' ts). */
  ts: number;
  /** The window the CPU % was measured over, ms: the minute, or less after a start or a gap. */
  windowMs: number;
  /** Highest CPU first (at most TOP_PER_MINUTE). */
  byCpu: TopProcess[];
  /** Largest RSS first (at most TOP_PER_MINUTE). */
  byMemory: TopProcess[];
}

const topProcessSchema = {
  type: 'object',
  required: ['pid', 'name', 'cpuPercent', 'memoryBytes'],
  properties: {
    pid: { type: 'integer' },
    name: { type: 'string' },
    cpuPercent: { type: 'number', description: '% of one CPU over the minute (200 = two busy cores)' },
    memoryBytes: { type: 'integer', description: 'Resident memory (RSS) at the minute\'s end, bytes' },
  },
} as const satisfies JSONSchema;

export const topParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    at: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000, description: 'Unix milliseconds: the minute holding it' },
  },
  required: ['at'],
} as const satisfies JSONSchema;

export type TopParams = FromSchema<typeof topParamsSchema>;

export interface TopResult {
  /** The minute asked for (its start, unix ms). */
  minute: number;
  /** What was recorded for it; null when nothing was (not sampled, not yet over, or recording off). */
  top: TopMinute | null;
}

export const topResultSchema = {
  title: 'TopResult',
  type: 'object',
  required: ['minute', 'top'],
  properties: {
    minute: { type: 'integer', description: 'The minute asked for (its start, unix ms)' },
    top: {
      anyOf: [
        {
          type: 'object',
          required: ['ts', 'windowMs', 'byCpu', 'byMemory'],
          properties: {
            ts: { type: 'integer' },
            windowMs: { type: 'integer', description: 'The window the CPU % was measured over, ms' },
            byCpu: { type: 'array', items: topProcessSchema },
            byMemory: { type: 'array', items: topProcessSchema },
          },
        },
        { type: 'null' },
      ],
    },
  },
} as const satisfies JSONSchema;
