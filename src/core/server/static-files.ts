// The chart page (the renderer bundle in dist/renderer: index.html, app.js, app.css) served with a
// strict Content-Security-Policy: scripts and styles from this origin only, no inline code, no
// eval, requests only to this origin. The few files are read once into memory (~300 KB) and
// served with an ETag. They are public even when the server requires a token (page-paths.ts):
// the page must load to ask for it, and it holds no data.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from '../../shared/api.js';
import { VigilError } from '../../shared/errors.js';
import type { Logger } from '../log.js';

import { CONTENT_SECURITY_POLICY } from './http-server.js';

export { CONTENT_SECURITY_POLICY };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface RendererRoutesOptions {
  /** The built bundle (default: dist/renderer beside this module's dist/core). */
  dir?: string;
  /** The page's path (default /); its files are served beside it. */
  prefix?: string;
  /** The API base the page calls (default: the agent's /api); written into index.html. */
  apiBase?: string;
  logger?: Logger;
}

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** dist/renderer, whether this module runs from dist/ (the CLI) or src/ (tests via tsx). */
export function defaultRendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.resolve(here, '../../renderer');
  if (fs.existsSync(path.join(beside, 'app.js'))) return beside;
  return path.resolve(here, '../../../dist/renderer');
}

export async function registerRendererRoutes(app: FastifyInstance, options: RendererRoutesOptions = {}): Promise<void> {
  const dir = options.dir ?? defaultRendererDir();
  const prefix = `${(options.prefix ?? '/').replace(/\/+$/, '')}/`;
  const files = loadFiles(dir, options.apiBase ?? API_PREFIX);
  if (!files.has('index.html')) options.logger?.warn('chart page not built: / answers 503 (run npm run build)', { dir });
  const serve = async (request: FastifyRequest, reply: FastifyReply, name: string): Promise<FastifyReply> => {
    const file = files.get(name);
    if (files.size === 0) {
      return reply.code(503).type('text/plain; charset=utf-8').send(`The Vigil chart page is not built (no ${dir}/index.html): run npm run build.\n`);
    }
    if (!file) throw new VigilError('not_found', `No route for GET ${request.url.split('?')[0]}`);
    void reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cache-control', 'no-cache')
      .header('etag', file.etag)
      .type(file.type);
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.send(file.body);
  };
  app.get(prefix, (request, reply) => serve(request, reply, 'index.html'));
  app.get(`${prefix}:file`, (request, reply) => serve(request, reply, (request.params as { file: string }).file));
}

function loadFiles(dir: string, apiBase: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return files;
  }
  for (const name of names) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    let body = fs.readFileSync(path.join(dir, name));
    if (name === 'index.html') body = Buffer.from(body.toString('utf8').replace(/(<meta name="vigil-api-base" content=")[^"]*(")/, `$1${escapeAttribute(apiBase)}$2`));
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return files;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
