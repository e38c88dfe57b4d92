// The hub's HTTP contract: what agents POST to /api/ingest (a SyncBatch, see
// src/core/sync/types.ts) and what the read API answers. JSON Schema literals, compiled by ajv
// in the hub (strict: no type coercion, no silently dropped fields) and published as OpenAPI at
// /openapi.json. Runtime-neutral: the fleet page imports the types.
//
// Limits are part of the contract: a batch that breaks one is refused whole (400), nothing of it
// stored. They are generous for real machines (1,024 CPUs, 512 interfaces) and keep a hostile or
// broken client from making the hub allocate without bound.

import type { LiveSampleEvent } from './api.js';
import { diskUsageSchema, sampleSchemaWith } from './metrics/sample-schema.js';
import { hostSnapshotSchema, machineStateSchema, text, type MachineState } from './wire.js';

export const INGEST_MAX_SAMPLES = 5000;
/** Earliest accepted timestamp: 2000-01-01T00:00:00Z (anything before is a broken clock). */
export const INGEST_MIN_TS = 946_684_800_000;
/** How far ahead of the hub's clock a sample may be (clock skew between machines). */
export const INGEST_MAX_FUTURE_MS = 5 * 60 * 1000;

const ts = { type: 'integer', minimum: INGEST_MIN_TS, maximum: 8_640_000_000_000_000 } as const;
/** A Sample as the hub accepts it: generated from the metric table (metrics/sample-schema.ts). */
export const sampleSchema = sampleSchemaWith(ts);

export const diskSampleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ts', 'disks'],
  properties: { ts, disks: { type: 'array', maxItems: 256, items: diskUsageSchema() } },
} as const;

export const hostRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ts', 'host'],
  properties: { ts, host: hostSnapshotSchema },
} as const;

/** POST /api/ingest body: a SyncBatch (src/core/sync/types.ts). */
export const ingestBatchSchema = {
  title: 'SyncBatch',
  $id: 'IngestBatch',
  type: 'object',
  additionalProperties: false,
  required: ['machine', 'agent', 'fromTs', 'toTs', 'samples', 'disks', 'hosts'],
  properties: {
    machine: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'name'],
      properties: {
        id: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
        name: text(128, 1),
      },
    },
    agent: {
      type: 'object',
      additionalProperties: false,
      required: ['state', 'intervalSeconds', 'syncIntervalSeconds', 'version', 'healthUrl'],
      properties: {
        state: machineStateSchema,
        intervalSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
        syncIntervalSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
        version: text(64, 1),
        healthUrl: { type: ['string', 'null'], maxLength: 2048, pattern: '^https?://[^\\s]+$' },
        timeZone: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+\\-/]+$' },
        /** With state 'sleeping' only: when the machine said it would be back (unix ms). Added later; optional. */
        sleepUntil: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000 },
      },
    },
    fromTs: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000 },
    toTs: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000 },
    samples: { type: 'array', maxItems: INGEST_MAX_SAMPLES, items: sampleSchema },
    disks: { type: 'array', maxItems: 1000, items: diskSampleSchema },
    hosts: { type: 'array', maxItems: 100, items: hostRecordSchema },
  },
} as const;

export interface IngestResult {
  machineId: string;
  /** Samples stored by this request. */
  accepted: number;
  /** Samples not stored: the hub already had them (a re-sent batch), or they are older than its raw retention. */
  ignored: number;
  /**
   * Of `ignored`, those older than the hub's raw retention: acknowledged (re-sending cannot
   * help) but not kept, which the agent logs and `vigil status` shows. Added later.
   */
  tooOld: number;
}

export const ingestResultSchema = {
  title: 'IngestResult',
  type: 'object',
  required: ['machineId', 'accepted', 'ignored', 'tooOld'],
  properties: { machineId: { type: 'string' }, accepted: { type: 'integer' }, ignored: { type: 'integer' }, tooOld: { type: 'integer' } },
} as const;

/**
 * up: reported within its expected cadence; stale: silent for longer than a few intervals, or
 * asleep past its announced deadline (or past hub.maxSleepHours without one); sleeping: it
 * announced suspend/shutdown before going silent; new: never reported yet.
 */
export type FleetState = 'up' | 'stale' | 'sleeping' | 'new';
export const FLEET_STATES: readonly FleetState[] = ['up', 'stale', 'sleeping', 'new'];

export interface HubMachine {
  /** The hub's id for the machine (what the URLs use). */
  id: string;
  name: string;
  /** The agent's own machine id (its /health `id`); null until it first reports. */
  agentId: string | null;
  /** True for the hub's own machine, which the hub samples itself. */
  self: boolean;
  state: FleetState;
  /** What the agent last said it was doing (running, paused, sleeping). */
  reportedState: MachineState | null;
  /** Unix ms of the last request from the agent. */
  lastSeen: number | null;
  /** Newest stored sample's ts. */
  lastSampleTs: number | null;
  /** The agent's GET /health URL when it reported one (peers watch it). */
  healthUrl: string | null;
  version: string | null;
  intervalSeconds: number | null;
  /** The machine's IANA time zone, when its agent reported it. */
  timeZone: string | null;
  createdAt: number;
  revokedAt: number | null;
  /** While it reports 'sleeping': the deadline it announced (unix ms), or null (none). */
  sleepUntil: number | null;
}

const nullable = (type: string) => ({ type: [type, 'null'] }) as const;

export const hubMachineSchema = {
  title: 'HubMachine',
  type: 'object',
  required: ['id', 'name', 'agentId', 'self', 'state', 'reportedState', 'lastSeen', 'lastSampleTs', 'healthUrl', 'version', 'intervalSeconds', 'timeZone', 'createdAt', 'revokedAt', 'sleepUntil'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    agentId: nullable('string'),
    self: { type: 'boolean' },
    state: { type: 'string', enum: FLEET_STATES },
    reportedState: nullable('string'),
    lastSeen: nullable('integer'),
    lastSampleTs: nullable('integer'),
    healthUrl: nullable('string'),
    version: nullable('string'),
    intervalSeconds: nullable('integer'),
    timeZone: nullable('string'),
    createdAt: { type: 'integer' },
    revokedAt: nullable('integer'),
    sleepUntil: nullable('integer'),
  },
} as const;

export const machineListSchema = {
  title: 'HubMachineList',
  type: 'object',
  required: ['machines', 'time'],
  properties: {
    /** Hub clock, unix ms (states are relative to it). */
    time: { type: 'integer' },
    machines: { type: 'array', items: hubMachineSchema },
  },
} as const;

export interface HubMachineList {
  time: number;
  machines: HubMachine[];
}

/**
 * Events of GET /api/live (text/event-stream). `lastSeen` is the hub's clock when it last heard
 * from the machine (a sample event: when the batch came; `lastSeen` was added to it later).
 */
export type LiveEvent =
  | (LiveSampleEvent & { lastSeen: number })
  | { type: 'state'; machineId: string; state: FleetState; lastSeen: number | null };

/** One event's `data` of GET /api/live, or null when it is not a live event (broken JSON, an unknown type). */
export function parseLiveEvent(data: string): LiveEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const event = value as Partial<Record<keyof LiveEvent | 'sample' | 'state', unknown>>;
  if (typeof event.machineId !== 'string' || (event.lastSeen !== null && typeof event.lastSeen !== 'number')) return null;
  if (event.type === 'sample') return typeof event.sample === 'object' && event.sample !== null && typeof event.lastSeen === 'number' ? (value as LiveEvent) : null;
  return event.type === 'state' && FLEET_STATES.includes(event.state as FleetState) ? (value as LiveEvent) : null;
}

export const errorSchema = {
  title: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;
