// The chart API's live feed (shared/api.ts LIVE_ROUTE): Server-Sent Events, one `sample` event per
// new sample, in the hub's /api/live shape ({ type, machineId, sample }), so one page reads both.
// SSE rather than WebSocket: one-way is all a chart needs, it is plain HTTP (the access token
// and the Host check apply as to any route), and it costs nothing when nobody listens: the
// subscription to the engine exists only while a page is open.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSampleEvent } from '../../shared/api.js';
import { VigilError } from '../../shared/errors.js';
import type { Sample } from '../../shared/model.js';
import { sendError } from './http-server.js';

/** Where the samples come from: the engine (agent, app), or a machine's store on the hub. */
export interface LiveSource {
  machineId: string;
  /** Calls `listener` with each new sample until the returned function is called. */
  subscribe(listener: (sample: Sample) => void): () => void;
}

/** Open streams are capped: each holds a socket and a listener. */
const MAX_CLIENTS = 64;
/** A comment line every so often keeps proxies and NATs from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
/** A client that does not read is dropped once this much is queued for it. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export class LiveStreams {
  private readonly closers = new Set<() => void>();

  get size(): number {
    return this.closers.size;
  }

  /** Ends every stream (the server is closing: it would otherwise wait for the pages to leave). */
  closeAll(): void {
    for (const close of [...this.closers]) close();
  }

  /** Answers one GET of the feed: hijacks the reply and streams until the client goes away. */
  async serve(request: FastifyRequest, reply: FastifyReply, source: LiveSource): Promise<void> {
    if (this.closers.size >= MAX_CLIENTS) {
      await sendError(reply, new VigilError('io_error', `Too many live feed clients (${MAX_CLIENTS}): close a chart page`), 503);
      return;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    raw.write(': vigil live feed\nretry: 3000\n\n');
    let closed = false;
    const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.closers.delete(close);
      clearInterval(keepalive);
      unsubscribe();
      raw.end();
    };
    const unsubscribe = source.subscribe((sample) => {
      if (closed) return;
      if (raw.writableLength > MAX_BUFFERED_BYTES) {
        close();
        return;
      }
      const event: LiveSampleEvent = { type: 'sample', machineId: source.machineId, sample };
      raw.write(`event: sample\ndata: ${JSON.stringify(event)}\n\n`);
    });
    this.closers.add(close);
    request.raw.once('close', close);
    raw.once('error', close);
  }
}
