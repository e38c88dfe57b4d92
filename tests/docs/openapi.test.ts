// Both OpenAPI documents, the hub's (made as it runs) and the agent's (made at build time by
// scripts/gen-openapi.ts), lint with 0 errors and 0 warnings under Redocly's recommended rules
// (@redocly/cli, the real linter), give every operation an operationId and a 4xx, name their
// schemas, and mark /health public; the agent serves its document, and Swagger UI with --ui.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_OPENAPI_MODULE, buildAgentOpenApi, renderModule } from '../../scripts/gen-openapi.js';
import { httpRequest } from '../../src/core/http-client.js';
import { silentLogger } from '../../src/core/log.js';
import { Runtime } from '../../src/core/runtime.js';
import { generateToken, hashToken } from '../../src/core/server/http-server.js';
import type { Hub } from '../../src/hub/hub.js';
import { defaultSettings, mergeSettings } from '../../src/shared/settings.js';
import { AGENT_OPENAPI_TEXT } from '../../src/core/server/agent-openapi.generated.js';
import { startTestHub } from '../hub/helpers.js';
import { tempDir } from '../helpers/tmp.js';

type Json = Record<string, unknown>;
const REDOCLY = path.resolve('node_modules/.bin/redocly');

/** `redocly lint` (recommended rules) of a document: its error and warning counts. */
function lint(document: Json): { errors: number; warnings: number; output: string } {
  const file = path.join(tempDir(), 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(document));
  const result = spawnSync(REDOCLY, ['lint', file, '--format=json'], { encoding: 'utf8', timeout: 60_000 });
  const report = JSON.parse(result.stdout) as { totals: { errors: number; warnings: number } };
  return { ...report.totals, output: result.stdout };
}

function operations(document: Json): [string, Json][] {
  return Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([p, item]) => Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${p}`, op] as [string, Json]));
}

function expectWellFormed(document: Json): void {
  const ids = new Set<string>();
  for (const [name, op] of operations(document)) {
    expect(op.operationId, name).toMatch(/^[a-z][A-Za-z0-9]+$/);
    ids.add(op.operationId as string);
    expect(Object.keys(op.responses as Json).some((code) => code.startsWith('4')), `${name} declares a 4xx`).toBe(true);
    // Bodies are named schemas, not inline ones.
    for (const response of Object.values(op.responses as Record<string, { content?: Record<string, { schema?: Json }> }>)) {
      for (const media of Object.values(response.content ?? {})) if (media.schema) expect(Object.keys(media.schema), name).toEqual(['$ref']);
    }
  }
  expect(ids.size).toBe(operations(document).length);
  const health = operations(document).find(([name]) => name === 'GET /health')![1];
  expect(health.security).toEqual([]);
  expect((document.components as { schemas: Json }).schemas).toHaveProperty('Error');
  expect((document.servers as unknown[]).length).toBe(1);
}

describe('OpenAPI documents', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('the agent’s generated module is what scripts/gen-openapi.ts writes today (else run it)', async () => {
    expect(fs.readFileSync(AGENT_OPENAPI_MODULE, 'utf8')).toBe(renderModule(await buildAgentOpenApi()));
  });

  it('the agent’s document lints clean and is well formed', async () => {
    const document = await buildAgentOpenApi();
    expect(lint(document)).toMatchObject({ errors: 0, warnings: 0 });
    expectWellFormed(document);
    const names = operations(document).map(([name]) => name);
    for (const name of ['GET /api/day', 'GET /metrics', 'GET /api/alerts', 'POST /api/sleep', 'GET /openapi.json']) expect(names).toContain(name);
  });

  it('the hub’s document lints clean and is well formed', async () => {
    const response = await httpRequest({ url: `${hub.url}/openapi.json` });
    const document = response.json<Json>();
    expect(lint(document)).toMatchObject({ errors: 0, warnings: 0 });
    expectWellFormed(document);
    const ingest = operations(document).find(([name]) => name === 'POST /api/ingest')![1];
    expect(ingest.security).toEqual([{ machineToken: [] }]);
  });

  it('the agent serves its document without a token, and Swagger UI at /docs with the chart page', async () => {
    const token = generateToken();
    const settings = mergeSettings(defaultSettings(), { server: { enabled: true, port: 0, ui: true, tokenHash: hashToken(token) } });
    const runtime = await Runtime.start({ dataDir: tempDir(), settings, logger: silentLogger, role: 'agent' });
    try {
      const served = await httpRequest({ url: `${runtime.url}/openapi.json` });
      expect(served.status).toBe(200);
      expect(served.text()).toBe(AGENT_OPENAPI_TEXT);
      expect(served.json<Json>().openapi).toBe('3.0.3');
      const docs = await httpRequest({ url: `${runtime.url}/docs/` });
      expect(docs.status).toBe(200);
      expect(docs.text()).toContain('swagger');
      // Vigil's docs, not Fastify's: its title (and logo, from the built page's icon when there is one).
      expect(docs.text()).toContain('<title>Vigil agent API</title>');
      // The API itself still needs the token.
      expect((await httpRequest({ url: `${runtime.url}/api/latest` })).status).toBe(401);
    } finally {
      await runtime.stop();
    }
  });
});
