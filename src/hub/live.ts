// The live feed: GET /api/live, Server-Sent Events (text/event-stream). Each new sample (the
// newest of each batch: a backfill of hours sends its last sample, not thousands of events) and
// each change of a machine's state (up / stale / sleeping) is one event. SSE rather than
// WebSocket: one-way is all a dashboard needs, it passes proxies as plain HTTP, and browsers
// reconnect by themselves.
// A machine's chart page follows that machine alone, every sample of it (its live view draws
// them all): /api/machines/{id}/live, the chart API's own feed (core/server/live-stream.ts),
// subscribes here (subscribe()).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LiveEvent } from '../shared/hub-api.js';
import type { Sample } from '../shared/model.js';
import { VigilError } from '../shared/errors.js';
import { SECURITY_HEADERS, sendError } from '../core/server/http-server.js';

/** Open streams are capped: each holds a socket and a little memory. */
const MAX_CLIENTS = 256;
/** A comment line every so often keeps proxies and NATs from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
/** A client that does not read is dropped once this much is queued for it. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

interface Client {
  reply: FastifyReply;
  machineId: string | null;
}

export class LiveFeed {
  private readonly clients = new Set<Client>();
  private keepalive: NodeJS.Timeout | null = null;
  /** Per machine: the chart pages following it (each new sample, in order). */
  private readonly followers = new Map<string, Set<(sample: Sample) => void>>();

  get size(): number {
    return this.clients.size;
  }

  /**
   * A machine's new samples, oldest first (the hub has heard from it at `lastSeen`): every one to
   * its chart pages, the newest to /api/live.
   */
  samples(machineId: string, samples: readonly Sample[], lastSeen: number): void {
    const newest = samples.at(-1);
    if (!newest) return;
    this.publish({ type: 'sample', machineId, sample: newest, lastSeen });
    const followers = this.followers.get(machineId);
    if (followers) for (const sample of samples) for (const follower of followers) follower(sample);
  }

  /** Calls `follower` with each new sample of the machine until the returned function is called. */
  subscribe(machineId: string, follower: (sample: Sample) => void): () => void {
    let followers = this.followers.get(machineId);
    if (!followers) this.followers.set(machineId, (followers = new Set()));
    followers.add(follower);
    return () => {
      followers.delete(follower);
      if (followers.size === 0 && this.followers.get(machineId) === followers) this.followers.delete(machineId);
    };
  }

  publish(event: LiveEvent): void {
    if (this.clients.size === 0) return;
    const data = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const client of this.clients) {
      if (client.machineId !== null && client.machineId !== event.machineId) continue;
      const socket = client.reply.raw;
      if (socket.writableLength > MAX_BUFFERED_BYTES) {
        this.drop(client);
        continue;
      }
      socket.write(data);
    }
  }

  register(app: FastifyInstance, resolve: (idOrName: string) => string | null): void {
    app.get(
      '/api/live',
      {
        schema: {
          summary: 'Live feed of new samples and machine state changes (Server-Sent Events)',
          description: 'Events `sample` ({ type, machineId, sample }) and `state` ({ type, machineId, state, lastSeen }). `machine` limits the feed to one machine.',
          tags: ['read'],
          querystring: { type: 'object', additionalProperties: false, properties: { machine: { type: 'string', minLength: 1, maxLength: 128 } } },
        },
      },
      async (request, reply) => {
        const { machine } = request.query as { machine?: string };
        const machineId = machine ? resolve(machine) : null;
        if (machine && !machineId) return sendError(reply, new VigilError('not_found', `No machine ${machine}`));
        if (this.clients.size >= MAX_CLIENTS) {
          return sendError(reply, new VigilError('io_error', `Too many live feed clients (${MAX_CLIENTS})`), 503);
        }
        const headers = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' };
        // HEAD (which Fastify derives from this GET route): the headers, then done, not a stream.
        if (request.method === 'HEAD') return reply.code(200).headers(headers).send();
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, { ...headers, connection: 'keep-alive', ...SECURITY_HEADERS });
        raw.write(': vigil live feed\nretry: 3000\n\n');
        const client: Client = { reply, machineId };
        this.clients.add(client);
        this.ensureKeepalive();
        request.raw.on('close', () => this.drop(client));
      },
    );
  }

  close(): void {
    for (const client of [...this.clients]) this.drop(client);
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
  }

  private drop(client: Client): void {
    if (!this.clients.delete(client)) return;
    client.reply.raw.end();
    if (this.clients.size === 0 && this.keepalive) {
      clearInterval(this.keepalive);
      this.keepalive = null;
    }
  }

  private ensureKeepalive(): void {
    if (this.keepalive) return;
    this.keepalive = setInterval(() => {
      for (const client of this.clients) client.reply.raw.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }
}
