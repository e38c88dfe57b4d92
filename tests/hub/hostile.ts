// A seeded generator of requests no hub should accept (tests/hub/fuzz.test.ts, bench/hub-fuzz.ts).
// Every request is invalid by construction — each mutation breaks a rule of the ingest contract
// (src/shared/hub-api.ts) that no valid batch can satisfy — so "all 4xx" is a real assertion.
import type { SyncBatch } from '../../src/core/sync/types.js';
import { seededRandom } from '../helpers/random.js';

export interface HostileRequest {
  kind: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys that may be absent or null in a valid batch: deleting or nulling them proves nothing. */
const OPTIONAL_KEYS = new Set(['timeZone', 'publicIp']);
const NULLABLE_KEYS = new Set(['load', 'healthUrl', 'rxBitsPerSecond', 'txBitsPerSecond', 'cores', 'maxFrequencyMhz', 'mtu', 'mac', 'address']);

interface Leaf {
  parent: Json[] | { [key: string]: Json };
  key: string | number;
  value: Json;
}

function leaves(value: Json, out: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) value.forEach((item, i) => visit(value, i, item, out));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) visit(value, key, item, out);
  return out;
}

function visit(parent: Leaf['parent'], key: string | number, value: Json, out: Leaf[]): void {
  out.push({ parent, key, value });
  if (value && typeof value === 'object') leaves(value, out);
}

function set(leaf: Leaf, value: Json): void {
  (leaf.parent as Record<string | number, Json>)[leaf.key] = value;
}

export function hostileRequests(options: { seed: number; count: number; token: string; valid: SyncBatch; oversized?: number }): HostileRequest[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const json = { 'content-type': 'application/json' };
  const auth = { ...json, authorization: `Bearer ${options.token}` };
  const validText = JSON.stringify(options.valid);
  const clone = () => JSON.parse(validText) as Json;

  const mutations: [string, () => HostileRequest][] = [
    ['no token', () => ({ kind: 'no token', headers: json, body: validText })],
    ['wrong token', () => ({ kind: 'wrong token', headers: { ...json, authorization: `Bearer ${randomToken(random)}` }, body: validText })],
    ['not bearer', () => ({ kind: 'not bearer', headers: { ...json, authorization: `Basic ${Buffer.from(`x:${options.token}`).toString('base64')}` }, body: validText })],
    [
      'wrong type',
      () => {
        const batch = clone();
        const leaf = pick(leaves(batch));
        const v = leaf.value;
        const replacement: Json =
          typeof v === 'number' ? pick(['12', { value: v }, [v], true] as Json[]) : typeof v === 'string' ? pick([42, [v], { v }, false] as Json[]) : typeof v === 'boolean' ? pick(['true', 1, [v]] as Json[]) : pick([42, 'text', true] as Json[]);
        // An array or object replaced by a scalar of the wrong kind; null only where null is not allowed.
        set(leaf, v === null ? pick([42, 'text', true] as Json[]) : replacement);
        if (v === null && NULLABLE_KEYS.has(String(leaf.key)) && typeof replacement !== 'object') set(leaf, ['not', 'this']);
        return { kind: 'wrong type', headers: auth, body: JSON.stringify(batch) };
      },
    ],
    [
      'null where not allowed',
      () => {
        const batch = clone();
        const candidates = leaves(batch).filter((l) => typeof l.key === 'string' && !NULLABLE_KEYS.has(l.key) && !OPTIONAL_KEYS.has(l.key) && l.value !== null);
        set(pick(candidates), null);
        return { kind: 'null', headers: auth, body: JSON.stringify(batch) };
      },
    ],
    [
      'missing key',
      () => {
        const batch = clone();
        const candidates = leaves(batch).filter((l) => typeof l.key === 'string' && !OPTIONAL_KEYS.has(l.key));
        const leaf = pick(candidates);
        delete (leaf.parent as Record<string, Json>)[leaf.key];
        return { kind: 'missing key', headers: auth, body: JSON.stringify(batch) };
      },
    ],
    [
      'unknown key',
      () => {
        const batch = clone();
        const objects = [batch, ...leaves(batch).map((l) => l.value)].filter((v): v is { [key: string]: Json } => !!v && typeof v === 'object' && !Array.isArray(v));
        pick(objects)[pick(['extra', '__x', 'Ts', 'CPU'])] = 1;
        return { kind: 'unknown key', headers: auth, body: JSON.stringify(batch) };
      },
    ],
    [
      'NaN or Infinity',
      () => {
        const text = validText.replace(/"total":[0-9.]+/, `"total":${pick(['NaN', 'Infinity', '-Infinity', 'nan', 'undefined'])}`);
        return { kind: 'NaN', headers: auth, body: text };
      },
    ],
    [
      'out of range',
      () => {
        const text = pick([
          () => validText.replace(/"total":[0-9.]+/, `"total":${pick(['100.5', '-0.1', '1e400', '-1e400', '1e308'])}`),
          () => validText.replace(/"used":\d+/, `"used":${pick(['-1024', '1e300', '2e16'])}`),
          () => validText.replace(/"rxBitsPerSecond":(\d+|null)/, `"rxBitsPerSecond":${pick(['-8', '1e14', '1e400'])}`),
          () => validText.replace(/"intervalSeconds":\d+/, `"intervalSeconds":${pick(['0', '-1', '1.5', '999999'])}`),
          () => validText.replace(/"ts":\d+/, `"ts":${pick(['-1', '0', '1.5', '946684799999', '1e20'])}`),
        ])();
        return { kind: 'out of range', headers: auth, body: text };
      },
    ],
    [
      'future timestamp',
      () => {
        const batch = JSON.parse(validText) as SyncBatch;
        const shift = pick([10 * 60_000, 86_400_000, 365 * 86_400_000]);
        const i = Math.floor(random() * batch.samples.length);
        batch.samples[i]!.ts = Date.now() + shift;
        batch.toTs = Math.max(batch.toTs, batch.samples[i]!.ts);
        return { kind: 'future', headers: auth, body: JSON.stringify(batch) };
      },
    ],
    [
      'outside window',
      () => {
        const batch = JSON.parse(validText) as SyncBatch;
        batch.fromTs = batch.samples[batch.samples.length - 1]!.ts;
        return { kind: 'window', headers: auth, body: JSON.stringify(batch) };
      },
    ],
    [
      'duplicate interface',
      () => {
        const batch = JSON.parse(validText) as SyncBatch;
        const sample = pick(batch.samples);
        sample.net.push({ ...sample.net[0]! });
        return { kind: 'duplicate iface', headers: auth, body: JSON.stringify(batch) };
      },
    ],
    [
      'control characters',
      () => {
        const batch = JSON.parse(validText) as SyncBatch;
        pick(batch.samples).net[0]!.iface = pick(['eth\u00000', 'a\nb', '\u001b[31mred', '']);
        return { kind: 'control chars', headers: auth, body: JSON.stringify(batch) };
      },
    ],
    [
      'too many items',
      () => {
        const batch = JSON.parse(validText) as SyncBatch;
        const sample = batch.samples[0]!;
        sample.cpu.cores = Array.from({ length: 1025 }, () => 1);
        return { kind: 'too many', headers: auth, body: JSON.stringify(batch) };
      },
    ],
    ['truncated', () => ({ kind: 'truncated', headers: auth, body: validText.slice(0, Math.floor(random() * (validText.length - 1))) })],
    ['garbage', () => ({ kind: 'garbage', headers: auth, body: Buffer.from(Array.from({ length: 1 + Math.floor(random() * 2000) }, () => Math.floor(random() * 256))) })],
    ['not an object', () => ({ kind: 'not object', headers: auth, body: pick(['[]', '"batch"', '42', 'null', 'true', '[{}]']) })],
    ['prototype pollution', () => ({ kind: 'proto', headers: auth, body: validText.replace('{"machine"', '{"__proto__":{"admin":true},"machine"') })],
    ['deep nesting', () => ({ kind: 'deep', headers: auth, body: `${'['.repeat(50_000)}${']'.repeat(50_000)}` })],
    ['wrong content type', () => ({ kind: 'content type', headers: { ...auth, 'content-type': pick(['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) }, body: validText })],
    ['unknown encoding', () => ({ kind: 'encoding', headers: { ...auth, 'content-encoding': pick(['br', 'zstd', 'x-custom']) }, body: validText })],
    ['bad gzip', () => ({ kind: 'bad gzip', headers: { ...auth, 'content-encoding': 'gzip' }, body: validText })],
  ];

  const requests: HostileRequest[] = [];
  for (let i = 0; i < options.count; i++) requests.push(pick(mutations)[1]());
  for (let i = 0; i < (options.oversized ?? 0); i++) {
    // 17 MiB of valid-looking JSON: over the body limit whatever it holds.
    requests.push({ kind: 'oversized', headers: auth, body: `{"samples":[${'0,'.repeat(9 * 1024 * 1024)}0]}` });
  }
  return requests;
}

function randomToken(random: () => number): string {
  return Array.from({ length: 43 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[Math.floor(random() * 64)]).join('');
}
