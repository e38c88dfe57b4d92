// HTTP routes of peer watch and alerts, on the agent's (or app's) server. All of them need the
// server's token when it has one (only /health is public):
//   GET    /api/alerts?limit=&before=   the alert history, open incidents, outbox state
//   GET    /api/peers                   each watched peer's state
//   POST   /api/sleep {seconds|until|indefinite}   this machine announces sleep, with its deadline
//   DELETE /api/sleep                   … or that it is awake again
//   POST   /api/peers/announce <health report>     a peer pushes "I am going to sleep until …"
import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../shared/errors.js';
import { parseHealth } from '../peers/health-check.js';
import type { RuntimeContext } from '../runtime.js';
import type { AlertService } from './service.js';
import { readAlertHistory } from './store.js';
import { apiErrorSchema } from '../../shared/api.js';

/** The longest announced sleep with a deadline: 30 days (longer: announce one without a deadline). */
const MAX_SLEEP_SECONDS = 30 * 24 * 3600;

// VigilError's JSON, as every route answers it (the OpenAPI documents name it Error).
const errorResponse = apiErrorSchema;

export function registerAlertRoutes(app: FastifyInstance, context: RuntimeContext, current: () => AlertService | null): void {
  const plain = () => (data: unknown) => JSON.stringify(data);

  app.get(
    '/api/alerts',
    {
      schema: {
        summary: 'Alert history (newest first), open incidents and the email outbox',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            before: { type: 'integer', minimum: 1, description: 'only alerts with a smaller id (paging)' },
          },
        },
        response: { '4xx': errorResponse },
      },
      serializerCompiler: plain,
    },
    async (request, reply) => {
      const query = request.query as { limit: number; before?: number };
      const options = { limit: query.limit, beforeId: query.before };
      void reply.header('cache-control', 'no-store');
      return current()?.history(options) ?? readAlertHistory(context.engine.paths.dataDir, options);
    },
  );

  app.get(
    '/api/peers',
    { schema: { summary: 'The watched peers and their states', tags: ['alerts'] }, serializerCompiler: plain },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      const peers = current()?.peers() ?? null;
      return { watching: peers !== null, peers: peers ?? [] };
    },
  );

  app.post(
    '/api/sleep',
    {
      schema: {
        summary: 'Announce that this machine is going to sleep (suspend, planned reboot): peers do not raise DOWN before the deadline',
        tags: ['alerts'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            seconds: { type: 'integer', minimum: 1, maximum: MAX_SLEEP_SECONDS, description: 'back within this many seconds' },
            until: { type: 'integer', minimum: 0, description: 'back by this unix ms' },
            indefinite: { type: 'boolean', description: 'no deadline (a laptop closed)' },
          },
        },
        response: { '4xx': errorResponse },
      },
      serializerCompiler: plain,
    },
    async (request) => {
      const body = (request.body ?? {}) as { seconds?: number; until?: number; indefinite?: boolean };
      const given = [body.seconds !== undefined, body.until !== undefined, body.indefinite === true].filter(Boolean).length;
      if (given !== 1) throw new VigilError('invalid_argument', 'Give exactly one of "seconds", "until" or "indefinite": true (the deadline by which this machine will be back)');
      const now = Date.now();
      let until: number | null = null;
      if (body.seconds !== undefined) until = now + body.seconds * 1000;
      if (body.until !== undefined) {
        if (body.until <= now) throw new VigilError('invalid_argument', '"until" is in the past');
        if (body.until > now + MAX_SLEEP_SECONDS * 1000) throw new VigilError('invalid_argument', '"until" is more than 30 days away: announce a sleep without a deadline instead');
        until = body.until;
      }
      context.setSleeping(true, until);
      return { state: context.state(), sleepUntil: context.sleepUntil() };
    },
  );

  app.delete('/api/sleep', { schema: { summary: 'This machine is awake again', tags: ['alerts'] }, serializerCompiler: plain }, async () => {
    context.setSleeping(false);
    return { state: context.state(), sleepUntil: null };
  });

  app.post(
    '/api/peers/announce',
    { schema: { summary: 'A watched peer says it is going to sleep (its health report, state "sleeping", with sleepUntil)', tags: ['alerts'] }, serializerCompiler: plain },
    async (request) => {
      const health = parseHealth(request.body);
      if (!health) throw new VigilError('invalid_argument', 'Expected a Vigil health report (id, name, state, sleepUntil …)');
      const known = current()?.announce(health) ?? null;
      if (known === null) throw new VigilError('not_found', 'Peer watch is not running on this machine');
      return { known };
    },
  );
}
