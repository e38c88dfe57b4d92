// The API's result schemas (see api.ts for the contract): what each endpoint's HTTP body holds, as
// the OpenAPI documents it.
import type { JSONSchema } from 'json-schema-to-ts';
import { sampleSchemaWith } from './metrics/sample-schema.js';
import { hostSnapshotSchema } from './wire.js';

const nullableInteger = { type: ['integer', 'null'] } as const;
const nullableNumberArray = { type: 'array', items: { type: ['number', 'null'] } } as const;

export const hostInfoSchema = {
  title: 'HostInfo',
  type: 'object',
  required: ['machine', 'version', 'timeZone', 'today', 'now', 'intervalSeconds', 'firstSampleTs', 'lastSampleTs', 'host'],
  properties: {
    machine: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
    version: { type: 'string' },
    timeZone: { type: 'string' },
    today: { type: 'string' },
    now: { type: 'integer' },
    intervalSeconds: nullableInteger,
    firstSampleTs: nullableInteger,
    lastSampleTs: nullableInteger,
    host: { anyOf: [hostSnapshotSchema, { type: 'null' }] },
  },
} as const satisfies JSONSchema;

export const daysResultSchema = {
  title: 'DaysResult',
  type: 'object',
  required: ['from', 'to', 'days'],
  properties: { from: { type: 'string' }, to: { type: 'string' }, days: { type: 'array', items: { type: 'string' } } },
} as const satisfies JSONSchema;

const nullableNumberMatrix = { type: 'array', items: nullableNumberArray } as const;

export const diskSeriesSchema = {
  type: 'object',
  required: ['mounts', 'timestamps', 'used', 'total', 'free', 'available'],
  properties: {
    mounts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['mountPoint', 'device', 'fsType'],
        properties: { mountPoint: { type: 'string' }, device: { type: 'string' }, fsType: { type: 'string' } },
      },
    },
    timestamps: { type: 'array', items: { type: 'integer' } },
    used: { ...nullableNumberMatrix, description: 'Bytes used (df\'s Used), per mount, per timestamp' },
    total: { ...nullableNumberMatrix, description: 'Filesystem size in bytes (df\'s Size), per mount, per timestamp' },
    free: { ...nullableNumberMatrix, description: 'Free bytes, the root reserve included; null also for readings from before Vigil kept them' },
    available: { ...nullableNumberMatrix, description: 'Bytes unprivileged users can still write (df\'s Avail); df\'s Use% = used / (used + available)' },
  },
} as const satisfies JSONSchema;

export const seriesResultSchema = {
  title: 'SeriesResult',
  type: 'object',
  required: ['from', 'to', 'bucketMs', 'resolution', 'timestamps', 'series', 'day', 'interfaces', 'disks'],
  properties: {
    from: { type: 'integer' },
    to: { type: 'integer' },
    bucketMs: { ...nullableInteger, description: 'Bucket width used; null for raw samples' },
    resolution: { type: 'string', enum: ['raw', '1m', '1h'], description: 'The coarsest table that answered' },
    timestamps: { type: 'array', items: { type: 'integer' }, description: 'Bucket starts (or sample times), ascending' },
    series: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'flags', 'avg'],
        properties: { key: { type: 'string' }, flags: { type: 'integer' }, avg: nullableNumberArray, min: nullableNumberArray, max: nullableNumberArray },
      },
    },
    day: { type: ['string', 'null'] },
    interfaces: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'loopback', 'virtual'],
        properties: { name: { type: 'string' }, loopback: { type: 'boolean' }, virtual: { type: 'boolean' } },
      },
    },
    disks: { anyOf: [diskSeriesSchema, { type: 'null' }] },
  },
} as const satisfies JSONSchema;

const interfaceTotalsSchema = {
  type: 'object',
  required: ['name', 'loopback', 'virtual', 'rx', 'tx', 'total'],
  properties: {
    name: { type: 'string' },
    loopback: { type: 'boolean' },
    virtual: { type: 'boolean' },
    rx: { type: 'integer', description: 'Bytes received' },
    tx: { type: 'integer', description: 'Bytes sent' },
    total: { type: 'integer' },
  },
} as const satisfies JSONSchema;

export const trafficReportSchema = {
  title: 'TrafficReport',
  type: 'object',
  required: ['from', 'to', 'label', 'resetDay', 'interfaces', 'physical', 'days', 'quotas'],
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    label: { type: 'string' },
    resetDay: { type: 'integer' },
    interfaces: { type: 'array', items: interfaceTotalsSchema },
    physical: { type: 'object', required: ['rx', 'tx', 'total'], properties: { rx: { type: 'integer' }, tx: { type: 'integer' }, total: { type: 'integer' } } },
    days: { type: 'array', items: { type: 'object', required: ['day', 'interfaces'], properties: { day: { type: 'string' }, interfaces: { type: 'array', items: interfaceTotalsSchema } } } },
    quotas: {
      type: 'array',
      items: {
        type: 'object',
        required: ['iface', 'bytes', 'direction', 'used', 'percent', 'projected'],
        properties: {
          iface: { type: 'string' },
          bytes: { type: 'integer' },
          direction: { type: 'string', enum: ['rx', 'tx', 'total'] },
          used: { type: 'integer' },
          percent: { type: 'number' },
          projected: { type: 'integer' },
        },
      },
    },
  },
} as const satisfies JSONSchema;

/** A Sample: generated from the metric table (metrics/sample-schema.ts), as the hub validates it. */
export const sampleSchema = sampleSchemaWith({ type: 'integer', description: 'Unix ms of the tick' });

export const latestResultSchema = {
  title: 'LatestResult',
  type: 'object',
  required: ['sample'],
  properties: { sample: { anyOf: [sampleSchema, { type: 'null' }] } },
} as const satisfies JSONSchema;

export const apiErrorSchema = {
  title: 'Error',
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const satisfies JSONSchema;
