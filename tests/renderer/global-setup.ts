// Before the browser tests: build dist/ and the page, write the fixture database, start the real
// agent (`bin/vigil.js agent --ui --port 0`) on it as a machine in Europe/Paris, and hand its URL
// to the tests (VIGIL_TEST_URL). The returned function stops it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BROWSER_HOME } from '../../playwright.config.js';
import { buildRenderer } from '../../scripts/build-renderer.js';
import { FIXTURE_TZ, buildFixtureDatabase } from './fixtures.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  // `npm test` has just built dist/ for vitest: build again only if a source is newer.
  if (newestMtime('src') > mtime('dist/agent/main.js')) {
    const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
    if (build.status !== 0 && !(build.status === 2 && /error TS\d+/.test(build.stdout + build.stderr))) {
      throw new Error(`build failed (exit ${build.status}):\n${build.stdout}${build.stderr}`);
    }
  }
  await buildRenderer();
  fs.mkdirSync(BROWSER_HOME, { recursive: true });

  process.env.TZ = FIXTURE_TZ;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-renderer-'));
  buildFixtureDatabase(dataDir);

  const agent = spawn(path.resolve('bin/vigil.js'), ['agent', '--ui', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, TZ: FIXTURE_TZ, VIGIL_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  agent.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  agent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the agent did not print its URL:\n${stderr}`)), 20_000);
    const check = (): void => {
      const match = /Vigil charts: (http:\/\/\S+?)\/?\s/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    agent.stdout.on('data', check);
    agent.once('exit', (code) => reject(new Error(`the agent exited (${code}):\n${stderr}`)));
  });
  let url: string;
  try {
    url = await started;
  } catch (error) {
    agent.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  process.env.VIGIL_TEST_URL = url;
  process.env.VIGIL_TEST_DATA_DIR = dataDir;

  return async () => {
    if (agent.exitCode === null) {
      const exited = new Promise((resolve) => agent.once('exit', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, mtime(path.join(entry.parentPath, entry.name)));
  }
  return newest;
}
