import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAppUrl, pageUrl, secureWebPreferences, windowOptions } from '../../../src/main/windows/options.js';

describe('window options', () => {
  it('every page is sandboxed, context-isolated, without Node, with the one preload', () => {
    for (const page of ['chart', 'settings', 'export'] as const) {
      const options = windowOptions(page, { preloadPath: '/app/dist/preload/preload.cjs', platform: 'linux', iconPath: '/app/assets/build/icon.png', devTools: false });
      expect(options.show).toBe(false);
      expect(options.webPreferences).toEqual({
        preload: '/app/dist/preload/preload.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        disableBlinkFeatures: 'Auxclick',
        navigateOnDragDrop: false,
        safeDialogs: true,
        spellcheck: false,
        devTools: false,
      });
    }
  });

  it('devTools only when asked (development runs)', () => {
    expect(secureWebPreferences('/p', { devTools: true }).devTools).toBe(true);
  });

  it('the window icon is set on Windows and Linux; macOS takes it from the bundle', () => {
    expect(windowOptions('chart', { preloadPath: '/p', platform: 'win32', iconPath: 'C:\\icon.png', devTools: false }).icon).toBe('C:\\icon.png');
    expect(windowOptions('chart', { preloadPath: '/p', platform: 'darwin', iconPath: '/icon.png', devTools: false }).icon).toBeUndefined();
  });

  it('pages live at app://vigil/…', () => {
    expect(pageUrl('chart')).toBe('app://vigil/index.html');
    expect(pageUrl('settings')).toBe('app://vigil/settings/index.html');
    expect(pageUrl('export', { from: '01-11-2026' })).toBe('app://vigil/settings/export.html?from=01-11-2026');
    expect(isAppUrl('app://vigil/settings/index.html#x')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('file:///app/dist/renderer/index.html')).toBe(false);
    expect(isAppUrl('https://vigil/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('the CSP allows the app’s own scripts and styles only: no inline code, no eval, no network, no frames', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*/);
  });
});
