// POST /api/ingest: agents deliver batches (src/core/sync/types.ts SyncBatch) with their machine
// token. The order of checks is the order of cost, so a hostile client spends the hub's time
// only as far as it gets:
//   1. the token (before the body is read): none or unknown → 401;
//   2. the body: size limit (on the decompressed bytes too: a gzip bomb stops at the limit), JSON
//      parse, then the strict schema (src/shared/hub-api.ts: every field typed and bounded, no
//      coercion, no unknown field) → 400/413/415;
//   3. what a schema cannot say: timestamps not in the future, interface names unique per sample,
//      samples inside the batch's window, a sleep deadline only with the sleeping state, memory
//      and swap figures within their totals, at least one core, a time zone that exists, a
//      health URL peers may be sent to (core/peers/address-guard.ts), the token not used by a
//      second machine → 400/409, the message naming the field.
// Only then is anything written. Writes are idempotent (a ts already stored is ignored), in three
// transactions (host snapshots, disk samples, samples); an I/O failure between them answers 500
// and the agent re-sends the batch, which then completes without duplicating anything.
import { Transform, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Ajv } from 'ajv';
import { VigilError } from '../shared/errors.js';
import type { Sample } from '../shared/model.js';
import { knownTimeZone } from '../shared/time-zone.js';
import { formatBytes } from '../shared/units.js';
import { forbiddenPeerUrl } from '../core/peers/address-guard.js';
import { INGEST_MAX_FUTURE_MS, ingestBatchSchema, ingestResultSchema, errorSchema, type IngestResult } from '../shared/hub-api.js';
import { bearerToken, sendError } from '../core/server/http-server.js';
import type { SyncBatch } from '../core/sync/types.js';
import type { HubIngest } from './read-model.js';
import type { MachineRecord } from './registry.js';

declare module 'fastify' {
  interface FastifyRequest {
    vigilMachine?: MachineRecord;
  }
}

/** Largest batch body, decompressed (a 5,000-sample batch of a 64-core machine is ~12 MB of JSON). */
export const INGEST_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * A strict validator for what machines send. Fastify's default ajv coerces types ("12" → 12, a
 * lone value → [value]) and drops unknown fields, which suits query strings but would let a
 * malformed batch through; this one refuses anything not exactly as specified.
 */
export function strictValidator(): Ajv {
  return new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, allowUnionTypes: true, strict: true });
}

export function registerIngestRoute(app: FastifyInstance, hub: HubIngest): void {
  const ajv = strictValidator();
  app.post(
    '/api/ingest',
    {
      bodyLimit: INGEST_BODY_LIMIT,
      schema: {
        summary: 'Deliver a batch of samples, disk samples and host snapshots (agents only)',
        description:
          'Authorization: Bearer <machine token> (from `vigil hub add-machine`). Content-Encoding: gzip accepted. Idempotent: samples the hub already has are counted as duplicates and ignored. The whole batch is validated before anything is stored.',
        tags: ['ingest'],
        security: [{ machineToken: [] }],
        body: ingestBatchSchema,
        response: { 200: ingestResultSchema, '4xx': errorSchema },
      },
      validatorCompiler: ({ schema }) => ajv.compile(schema),
      onRequest: async (request, reply) => {
        const token = bearerToken(request);
        const machine = token ? hub.authenticate(token) : null;
        if (!machine) {
          // Close the connection: the client may be about to send megabytes nobody will read.
          void reply.header('connection', 'close');
          return sendError(reply, new VigilError('unauthorized', token ? 'Unknown or revoked machine token' : 'A machine token is required (Authorization: Bearer <token>)'));
        }
        request.vigilMachine = machine;
      },
      preParsing: async (request, reply, payload) => decodeBody(request, payload),
    },
    async (request, reply) => {
      const machine = request.vigilMachine!;
      const batch = request.body as SyncBatch;
      checkBatch(batch, hub.now());
      if (!hub.bindAgent(machine, batch.machine.id)) {
        return sendError(
          reply,
          new VigilError('conflict', `The token of ${machine.name} is already used by another machine (agent id ${machine.agentId}); give each machine its own token (vigil hub add-machine)`),
        );
      }
      const result: IngestResult = hub.ingest(machine, batch);
      return result;
    },
  );
}

/** Checks a schema cannot express; throws VigilError('invalid_argument') naming the field. */
export function checkBatch(batch: SyncBatch, now: number): void {
  const latestAllowed = now + INGEST_MAX_FUTURE_MS;
  if (batch.toTs < batch.fromTs) throw new VigilError('invalid_argument', `toTs (${batch.toTs}) is before fromTs (${batch.fromTs})`);
  if (batch.agent.sleepUntil !== undefined && batch.agent.state !== 'sleeping') {
    throw new VigilError('invalid_argument', `agent/sleepUntil is only for agent/state "sleeping", not "${batch.agent.state}"`);
  }
  const { timeZone, healthUrl } = batch.agent;
  if (timeZone !== undefined && knownTimeZone(timeZone) === undefined) {
    throw new VigilError('invalid_argument', `agent/timeZone ${JSON.stringify(timeZone)} is not a known IANA time zone (e.g. Europe/Paris, UTC)`);
  }
  if (healthUrl !== null) {
    const refused = forbiddenPeerUrl(healthUrl);
    if (refused) throw new VigilError('invalid_argument', `agent/healthUrl ${JSON.stringify(healthUrl)}: ${refused}; peers would be sent there`);
  }
  for (let i = 0; i < batch.samples.length; i++) {
    const sample = batch.samples[i]!;
    if (sample.ts > latestAllowed) throw future(`samples/${i}/ts`, sample.ts, now);
    if (sample.ts <= batch.fromTs || sample.ts > batch.toTs) {
      throw new VigilError('invalid_argument', `samples/${i}/ts (${sample.ts}) is outside the batch window (${batch.fromTs}, ${batch.toTs}]`);
    }
    checkFigures(sample, `samples/${i}`);
    if (sample.net.length > 1) {
      const names = new Set<string>();
      for (const rate of sample.net) {
        if (names.has(rate.iface)) throw new VigilError('invalid_argument', `samples/${i}/net names interface ${JSON.stringify(rate.iface)} twice`);
        names.add(rate.iface);
      }
    }
  }
  batch.disks.forEach((disk, i) => {
    if (disk.ts > latestAllowed) throw future(`disks/${i}/ts`, disk.ts, now);
  });
  batch.hosts.forEach((host, i) => {
    if (host.ts > latestAllowed) throw future(`hosts/${i}/ts`, host.ts, now);
  });
}

/** A sample's parts that must agree with each other: the schema checks each number alone. */
function checkFigures(sample: Sample, at: string): void {
  const memory = sample.memory;
  const within = (part: keyof Sample['memory'], whole: keyof Sample['memory']) => {
    if (memory[part] <= memory[whole]) return;
    throw new VigilError('invalid_argument', `${at}/memory/${part} (${memory[part]} B, ${formatBytes(memory[part])}) is more than ${at}/memory/${whole} (${memory[whole]} B, ${formatBytes(memory[whole])})`);
  };
  within('used', 'total');
  within('available', 'total');
  within('free', 'total');
  within('swapUsed', 'swapTotal');
  if (sample.cpu.cores.length === 0) throw new VigilError('invalid_argument', `${at}/cpu/cores is empty: a machine has at least one core`);
}

function future(field: string, ts: number, now: number): VigilError {
  return new VigilError('invalid_argument', `${field} (${new Date(ts).toISOString()}) is in the future (hub time ${new Date(now).toISOString()}): check the machine's clock`);
}

/** gzip/deflate bodies are inflated on the fly; Fastify's body limit then applies to the inflated bytes. */
function decodeBody(request: FastifyRequest, payload: Readable): Readable {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return payload;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    // A plain error with a status: the server's error handler answers it as { error } with that status.
    throw Object.assign(new Error(`Unsupported Content-Encoding ${encoding} (gzip, deflate or none)`), { statusCode: 415 });
  }
  const inflate = encoding === 'gzip' ? zlib.createGunzip() : zlib.createInflate();
  // Fastify compares the bytes received with Content-Length and the limit; it reads
  // receivedEncodedLength for the former and counts the inflated bytes itself for the latter.
  const counted = Object.assign(new Transform({ transform: (chunk, _encoding, done) => done(null, chunk) }), { receivedEncodedLength: 0 });
  payload.on('data', (chunk: Buffer) => (counted.receivedEncodedLength += chunk.length));
  payload.on('error', (error) => inflate.destroy(error));
  inflate.on('error', (error) => counted.destroy(Object.assign(new Error(`Body is not valid ${encoding}: ${error.message}`), { statusCode: 400 })));
  payload.pipe(inflate).pipe(counted);
  return counted;
}
