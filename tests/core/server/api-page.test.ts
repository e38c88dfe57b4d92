// The chart page's files: served with a strict CSP, the API base written into index.html, public
// behind a token (the page must load to ask for it), 503 with a clear text when not built. And
// the page source itself holds no inline script or style, which the CSP would block.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import { createHttpServer, hashToken } from '../../../src/core/server/http-server.js';
import { PAGE_PATHS, PAGE_PREFIXES } from '../../../src/core/server/page-paths.js';
import { CONTENT_SECURITY_POLICY, registerRendererRoutes } from '../../../src/core/server/static-files.js';
import { tempDir } from '../../helpers/tmp.js';

function fakeBundle(): string {
  const dir = tempDir('vigil-renderer-');
  fs.copyFileSync('src/renderer/index.html', path.join(dir, 'index.html'));
  fs.writeFileSync(path.join(dir, 'app.js'), 'console.log("vigil");\n');
  fs.writeFileSync(path.join(dir, 'chunk-charts-ABC123.js'), 'export const charts = 1;\n');
  fs.writeFileSync(path.join(dir, 'app.css'), 'body { margin: 0 }\n');
  fs.copyFileSync('assets/build/icon.ico', path.join(dir, 'favicon.ico'));
  return dir;
}

describe('chart page files', () => {
  it('serves index.html with the CSP, security headers and the API base; assets with ETags', async () => {
    const app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    await registerRendererRoutes(app, { dir: fakeBundle() });
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('<meta name="vigil-api-base" content="/api">');
    const script = await app.inject({ url: '/app.js' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe('console.log("vigil");\n');
    const again = await app.inject({ url: '/app.js', headers: { 'if-none-match': String(script.headers.etag) } });
    expect(again.statusCode).toBe(304);
    const missing = await app.inject({ url: '/secrets.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    expect((await app.inject({ url: '/../package.json' })).statusCode).toBe(404);
    await app.close();
  });

  it('writes another API base (the hub serves a machine page under its own path)', async () => {
    const app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    await registerRendererRoutes(app, { dir: fakeBundle(), prefix: '/machines/m-1', apiBase: '/api/machines/m-1' });
    const page = await app.inject({ url: '/machines/m-1/' });
    expect(page.body).toContain('<meta name="vigil-api-base" content="/api/machines/m-1">');
    expect((await app.inject({ url: '/machines/m-1/app.css' })).body).toContain('margin');
    await app.close();
  });

  it('stays public behind a token while the API does not', async () => {
    const app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger, tokenHash: hashToken('0123456789abcdef'), publicPaths: ['/health', ...PAGE_PATHS], publicPrefixes: PAGE_PREFIXES });
    await registerRendererRoutes(app, { dir: fakeBundle() });
    app.get('/api/host', async () => ({}));
    // The script's chunks load with import(), which sends no token: public like app.js.
    for (const url of ['/', '/app.js', '/chunk-charts-ABC123.js', '/app.css', '/favicon.ico']) expect((await app.inject({ url })).statusCode, url).toBe(200);
    expect((await app.inject({ url: '/chunk-charts-ABC123.js' })).headers['content-type']).toBe('text/javascript; charset=utf-8');
    // The icon browsers ask for by themselves (the page names favicon.svg), not a 404.
    const icon = await app.inject({ url: '/favicon.ico' });
    expect(icon.headers['content-type']).toBe('image/x-icon');
    expect(icon.rawPayload.equals(fs.readFileSync('assets/build/icon.ico'))).toBe(true);
    expect((await app.inject({ url: '/api/host' })).statusCode).toBe(401);
    await app.close();
  });

  it('answers 503 with what to do when the bundle is not built', async () => {
    const app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    await registerRendererRoutes(app, { dir: path.join(tempDir(), 'nothing') });
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('run npm run build');
    await app.close();
  });

  it('the page source has no inline script, style or handler for the CSP to block', () => {
    const html = fs.readFileSync('src/renderer/index.html', 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/);
  });
});
