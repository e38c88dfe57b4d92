// The wire forms of the data model: JSON Schema literals that the hub's ingest validates (ajv,
// strict), that the API publishes as the shape of its results (OpenAPI), and from which the
// TypeScript types are derived with json-schema-to-ts (as settings are). One schema per shape,
// so the type a reader produces, the body the hub accepts and the result the API documents
// cannot drift apart.
//
// Limits are part of the contract: generous for real machines (65,536 CPUs, 512 interfaces),
// they keep a hostile or broken client from making the hub allocate without bound.
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** Unix ms: any instant a Date can hold. */
export const instantSchema = { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000 } as const satisfies JSONSchema;

const textPattern = '^[^\\u0000-\\u001f\\u007f]*$';
/** Printable text: no control characters (names end up in logs, CSV and HTML). */
export const text = (maxLength: number, minLength = 0) => ({ type: 'string', minLength, maxLength, pattern: textPattern }) as const;
export const nullableText = (maxLength: number) => ({ type: ['string', 'null'], maxLength, pattern: textPattern }) as const;

// ---------------------------------------------------------------- machine state

/**
 * What a machine says it is doing (its /health `state`, and the `agent.state` of every batch it
 * sends a hub): running = sampling; paused = sampling paused by the user; sleeping = it announced
 * suspend or shutdown, so peers and the hub must not alarm while it is silent.
 */
export const MACHINE_STATES = ['running', 'paused', 'sleeping'] as const;
export const machineStateSchema = { type: 'string', enum: MACHINE_STATES } as const satisfies JSONSchema;
export type MachineState = FromSchema<typeof machineStateSchema>;

export function isMachineState(value: unknown): value is MachineState {
  return typeof value === 'string' && (MACHINE_STATES as readonly string[]).includes(value);
}

// ---------------------------------------------------------------- host snapshot

export const interfaceInfoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'mtu', 'mac', 'ipv4', 'ipv6', 'loopback', 'virtual'],
  properties: {
    name: text(128, 1),
    mtu: { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000 },
    mac: nullableText(64),
    ipv4: { type: 'array', maxItems: 64, items: text(64) },
    ipv6: { type: 'array', maxItems: 64, items: text(64) },
    loopback: { type: 'boolean' },
    virtual: { type: 'boolean', description: 'A software interface: bridge, veth, docker, tun/tap, VPN, … (not a physical NIC)' },
  },
} as const satisfies JSONSchema;

export const publicIpInfoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'since'],
  properties: {
    address: { ...nullableText(64), description: 'The address the lookup service saw (IPv4 or IPv6); null while it is unknown (lookups fail)' },
    since: { ...instantSchema, description: 'Unix ms since when this holds: the address was first seen, or lookups started failing' },
  },
} as const satisfies JSONSchema;

/** What the machine is; recorded at start and whenever it changes. */
export const hostSnapshotSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['hostname', 'user', 'platform', 'os', 'kernel', 'arch', 'bootTime', 'cpu', 'interfaces'],
  properties: {
    hostname: text(255),
    user: text(255),
    platform: text(32),
    os: { ...text(255), description: 'Human name of the OS, e.g. "Debian GNU/Linux 12 (bookworm)"' },
    kernel: text(255),
    arch: text(32),
    bootTime: { ...instantSchema, description: 'Unix ms' },
    cpu: {
      type: 'object',
      additionalProperties: false,
      required: ['model', 'cores', 'threads', 'maxFrequencyMhz'],
      properties: {
        model: text(255),
        cores: { type: ['integer', 'null'], minimum: 0, maximum: 65536, description: 'Physical cores; null where the OS does not tell' },
        threads: { type: 'integer', minimum: 0, maximum: 65536, description: 'Logical CPUs' },
        maxFrequencyMhz: { type: ['number', 'null'], minimum: 0, maximum: 1e6, description: 'MHz; null where the OS does not tell' },
      },
    },
    interfaces: { type: 'array', maxItems: 512, items: interfaceInfoSchema },
    // Kept in the snapshot so that its history is recorded with the host's other facts, whenever
    // it changes (src/core/public-ip.ts).
    publicIp: { ...publicIpInfoSchema, description: 'The public (outside) address, when the lookup is on (settings publicIp); absent when it is off' },
  },
} as const satisfies JSONSchema;

export type HostSnapshot = FromSchema<typeof hostSnapshotSchema>;
export type InterfaceInfo = FromSchema<typeof interfaceInfoSchema>;
export type PublicIpInfo = FromSchema<typeof publicIpInfoSchema>;
