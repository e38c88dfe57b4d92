import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/windows/options.js';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler, mimeType, resolveAppFile } from '../../../src/main/windows/protocol.js';
import { tempDir } from '../../helpers/tmp.js';

describe('app:// protocol', () => {
  const root = path.join(tempDir(), 'renderer');
  fs.mkdirSync(path.join(root, 'settings'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>chart</title>');
  fs.writeFileSync(path.join(root, 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'settings', 'index.html'), '<!doctype html><title>settings</title>');
  fs.writeFileSync(path.join(root, '..', 'secret.txt'), 'outside');

  it('is a standard, secure scheme', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true, bypassCSP: false } });
  });

  it('maps URLs inside the renderer folder, and nothing else', () => {
    expect(resolveAppFile(root, 'app://vigil/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://vigil/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://vigil/settings/')).toBe(path.join(root, 'settings', 'index.html'));
    expect(resolveAppFile(root, 'app://vigil/app.js?v=1#top')).toBe(path.join(root, 'app.js'));
    // Dot segments, encoded or not, are resolved by URL parsing against the root: they stay in it.
    for (const tricky of ['app://vigil/../secret.txt', 'app://vigil/%2e%2e/secret.txt', 'app://vigil/settings/%2E%2E/%2E%2E/secret.txt']) {
      expect(resolveAppFile(root, tricky), tricky).toBe(path.join(root, 'secret.txt'));
    }
    for (const bad of [
      'app://vigil/..%2fsecret.txt',
      'app://vigil/%2e%2e%2fsecret.txt',
      'app://vigil/%5c..%5csecret.txt',
      'app://vigil/index.html%00.js',
      'app://vigil/.hidden',
      'app://vigil/%E0%A4%A',
      'app://evil/index.html',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(resolveAppFile(root, bad), bad).toBeNull();
    }
  });

  it('serves files with their type and the CSP; 404 for what it does not serve; GET only', async () => {
    const handle = appProtocolHandler(root);
    const page = await handle(new Request('app://vigil/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>chart</title>');
    expect((await handle(new Request('app://vigil/app.js'))).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const missing = await handle(new Request('app://vigil/nothing.js'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await handle(new Request('app://vigil/%2e%2e/secret.txt'))).status).toBe(404);
    expect((await handle(new Request('app://vigil/settings'))).status).toBe(404);
    expect((await handle(new Request('app://vigil/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
    expect(mimeType('x.unknown')).toBe('application/octet-stream');
  });
});
