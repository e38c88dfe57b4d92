// GET /metrics: the Prometheus text exposition (format 0.0.4) of the latest sample, disk usage
// and host facts — on the agent's local server, and on the hub for every machine it holds. The
// route takes a source of snapshots, so the same code serves one machine (the runtime's engine,
// the default) or many (the hub passes its own source; each machine is told apart by its
// host and machine_id labels). Names and units: see metrics-exposition/convention.ts.
//
// Like every route it sits behind the server's token when one is set: give Prometheus the token
// with `authorization: { credentials: … }` in the scrape config.
import type { FastifyInstance } from 'fastify';
import type { Point } from '../metrics-exposition/convention.js';
import { encodeNodeExposition } from '../metrics-exposition/node-exporter.js';
import { EXPOSITION_CONTENT_TYPE, encodeExposition, processPoints, type MachineSnapshot } from '../metrics-exposition/prometheus-text.js';
import type { RouteModule, RuntimeContext } from '../runtime.js';
import type { SampleStore } from '../storage/types.js';

export type { MachineSnapshot } from '../metrics-exposition/prometheus-text.js';

/** Called on every scrape; returns the machines to expose (order is kept). */
export type SnapshotSource = () => readonly MachineSnapshot[] | Promise<readonly MachineSnapshot[]>;

export const METRICS_PATH = '/metrics';

/**
 * Registers GET /metrics on any Fastify app (the hub calls this with its own source, and its
 * own counters as `extra`). The serving process' own figures (process_*) come with it.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  source: SnapshotSource,
  extra: () => readonly Point[] = () => [],
  options: { node?: () => MachineSnapshot | null } = {},
): void {
  app.get(METRICS_PATH, { schema: { summary: 'Prometheus text exposition (format 0.0.4) of the latest values and counters', tags: ['meta'], produces: ['text/plain'] } }, async (_request, reply) => {
    void reply.header('content-type', EXPOSITION_CONTENT_TYPE).header('cache-control', 'no-store');
    const node = options.node?.();
    if (node) return encodeNodeExposition(node, processPoints());
    const snapshots = await source();
    return encodeExposition(snapshots, [...extra(), ...processPoints()]);
  });
}

/** This machine as the runtime sees it: the engine's latest sample, disks and host snapshot. */
export function runtimeSnapshot(context: RuntimeContext): MachineSnapshot {
  return {
    machine: { machineId: context.identity.id, name: context.identity.name },
    sample: context.engine.latest(),
    disks: context.engine.store.latestDisks(),
    host: context.engine.host(),
    counters: context.engine.counters(),
  };
}

/** A machine as its database has it (the hub: one store per machine): latest sample, disks, host. */
export function storeSnapshot(machine: { machineId: string; name: string }, store: SampleStore): MachineSnapshot {
  return { machine, sample: store.latestSample(), disks: store.latestDisks(), host: store.latestHost() };
}

/**
 * The /metrics route module for Runtime.start({ routes }). Without an argument it exposes the
 * runtime's own machine; pass a source factory to expose others (or more).
 */
export function prometheusRoute(source?: (context: RuntimeContext) => SnapshotSource): RouteModule {
  return (app, context) =>
    registerMetricsRoute(app, source ? source(context) : () => [runtimeSnapshot(context)], () => [], {
      // server.metricsNames = node: node_exporter's names for this machine (read on every scrape).
      node: source ? undefined : () => (context.settings().server.metricsNames === 'node' ? runtimeSnapshot(context) : null),
    });
}
