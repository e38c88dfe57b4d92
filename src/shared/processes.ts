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
