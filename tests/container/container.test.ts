// The hub's Dockerfile, compose.yaml and .dockerignore. No Docker engine here (and hadolint's npm
// package only downloads the binary from GitHub), so: the conventions checked on a parse of the
// files, and the parts that run — the image's command and its health check — run for real
// against the real CLI (on 127.0.0.1 and a free port instead of 0.0.0.0:7471).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HUB_PORT } from '../../src/core/server/http-server.js';
import { VIGIL_BIN, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);
// `yaml` comes with @fastify/swagger (a dependency); compose files are YAML 1.2.
const YAML = require('yaml') as { parse(text: string): unknown };

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions: comments dropped, continuation lines joined, ARG defaults substituted in FROM. */
function parseDockerfile(text: string): { instructions: Instruction[]; stages: { name: string | null; image: string }[] } {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.trim();
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  const args = new Map<string, string>();
  const stages: { name: string | null; image: string }[] = [];
  const instructions = logical.map((line): Instruction => {
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`not an instruction: ${line}`);
    const keyword = match[1]!.toUpperCase();
    const rest = match[2]!;
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value] = rest.split('=');
      args.set(name!, value ?? '');
    }
    if (keyword === 'FROM') {
      const [image, as, name] = rest.split(/\s+/);
      stages.push({ image: image!.replace(/\$\{(\w+)\}/g, (_m, v: string) => args.get(v) ?? ''), name: as?.toUpperCase() === 'AS' ? name! : null });
    }
    return { keyword, args: rest, stage: stages.length - 1 };
  });
  return { instructions, stages };
}

const dockerfile = parseDockerfile(fs.readFileSync('Dockerfile', 'utf8'));
const all = dockerfile.instructions;
const final = all.filter((i) => i.stage === dockerfile.stages.length - 1);
const one = (keyword: string, list = final): Instruction => {
  const found = list.filter((i) => i.keyword === keyword);
  expect(found, keyword).toHaveLength(1);
  return found[0]!;
};
const execForm = (instruction: Instruction): string[] => {
  const json = instruction.args.replace(/^(--\S+\s+)*(CMD\s+)?/, '');
  const parsed = JSON.parse(json) as unknown;
  expect(Array.isArray(parsed) && parsed.every((a) => typeof a === 'string'), `${instruction.keyword} in exec form`).toBe(true);
  return parsed as string[];
};

describe('Dockerfile', () => {
  it('is multi-stage: a Node 24 bookworm-slim build stage with the native toolchain, then a slim runtime', () => {
    expect(dockerfile.stages.map((s) => s.image)).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    expect(dockerfile.stages[0]!.name).toBe('build');
    const build = all.filter((i) => i.stage === 0);
    const apt = build.find((i) => i.keyword === 'RUN' && i.args.includes('apt-get install'))!;
    expect(apt.args).toMatch(/apt-get update\s+&& apt-get install -y --no-install-recommends python3 make g\+\+\s+&& rm -rf \/var\/lib\/apt\/lists\/\*/);
    expect(build.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
    expect(build.some((i) => i.keyword === 'RUN' && /npm run build\s+&& npm prune --omit=dev/.test(i.args))).toBe(true);
    // The final stage has no compiler and installs nothing.
    expect(final.some((i) => /apt-get|npm (ci|install)/.test(i.args))).toBe(false);
    for (const copy of all.filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from='))) {
      expect(dockerfile.stages.map((s) => s.name)).toContain(/^--from=(\S+)/.exec(copy.args)![1]);
    }
    // Every file the build context must provide exists.
    for (const file of ['package.json', 'package-lock.json', 'bin/vigil.js', 'tsconfig.build.json']) expect(fs.existsSync(file), file).toBe(true);
    expect(all.some((i) => i.keyword === 'ADD')).toBe(false);
    expect(all.some((i) => /:latest\b/.test(i.args))).toBe(false);
  });

  it('runs as a non-root user, with the data folder as a volume, the hub port exposed and a health check', () => {
    const user = one('USER');
    expect(user.args).not.toMatch(/^(root|0)(:|$)/);
    const order = final.map((i) => i.keyword);
    expect(order.indexOf('USER')).toBeLessThan(order.indexOf('CMD'));
    expect(JSON.parse(one('VOLUME').args)).toEqual(['/data']);
    expect(one('EXPOSE').args).toBe(String(DEFAULT_HUB_PORT));
    const command = [...execForm(one('ENTRYPOINT')), ...execForm(one('CMD'))];
    expect(command).toEqual(['node', 'bin/vigil.js', 'hub', '--data-dir', '/data', '--host', '0.0.0.0', '--port', String(DEFAULT_HUB_PORT)]);
    const health = one('HEALTHCHECK');
    expect(health.args).toMatch(/^--interval=\d+s --timeout=\d+s --start-period=\d+s --retries=\d+ CMD \[/);
    expect(execForm(health).join(' ')).toContain(`http://127.0.0.1:${DEFAULT_HUB_PORT}/health`);
    expect(one('ENV').args).toMatch(/VIGIL_HUB_DATA_DIR=\/data/);
  });
});

describe('compose.yaml and .dockerignore', () => {
  const compose = YAML.parse(fs.readFileSync('compose.yaml', 'utf8')) as {
    services: Record<string, { build: string; image: string; init: boolean; restart: string; ports: string[]; environment: Record<string, string>; volumes: string[]; healthcheck: { test: string[] } }>;
    volumes: Record<string, unknown>;
  };

  it('runs the image with a named volume for /data, the port, the token from the environment and the same health check', () => {
    const hub = compose.services.hub!;
    expect(hub.build).toBe('.');
    expect(hub.init).toBe(true);
    expect(hub.restart).toBe('unless-stopped');
    expect(hub.ports).toEqual([`${DEFAULT_HUB_PORT}:${DEFAULT_HUB_PORT}`]);
    expect(hub.volumes).toEqual(['hub-data:/data']);
    expect(Object.keys(compose.volumes)).toEqual(['hub-data']);
    // ${VAR:?message}: compose refuses to start without a token instead of starting a hub that refuses to.
    expect(hub.environment.VIGIL_HUB_TOKEN).toMatch(/^\$\{VIGIL_HUB_TOKEN:\?.+\}$/);
    expect(hub.healthcheck.test).toEqual(['CMD', ...execForm(one('HEALTHCHECK'))]);
  });

  it('.dockerignore keeps dependencies, builds and tests out, and what the build needs in', () => {
    const ignored = fs.readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules', 'dist', '.git', 'tests']) expect(ignored).toContain(entry);
    for (const needed of ['src', 'bin', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts']) expect(ignored).not.toContain(needed);
  });
});

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe("the image's command and health check, run here", () => {
  it('the CMD starts a hub that the HEALTHCHECK finds healthy; without the hub the check fails', async () => {
    const port = await freePort();
    const dataDir = tempDir('vigil-hub-');
    const local = (args: string[]) => args.map((a) => (a === '/data' ? dataDir : a === '0.0.0.0' ? '127.0.0.1' : a === String(DEFAULT_HUB_PORT) ? String(port) : a));
    const healthCheck = () => {
      const [node, ...args] = execForm(one('HEALTHCHECK')).map((a) => a.replace(`:${DEFAULT_HUB_PORT}/`, `:${port}/`));
      expect(node).toBe('node');
      return spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 10_000 }).status;
    };
    expect(healthCheck()).toBe(1);

    const [node, script, ...args] = execForm(one('ENTRYPOINT'));
    expect([node, script]).toEqual(['node', 'bin/vigil.js']);
    const hub = spawn(process.execPath, [VIGIL_BIN, ...local([...args, ...execForm(one('CMD'))])], {
      env: { ...process.env, VIGIL_HUB_TOKEN: 'a-token-for-the-container-test' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    started.push(hub);
    let stderr = '';
    hub.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => healthCheck() === 0 || hub.exitCode !== null, `the hub on port ${port}`, 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${stderr}`);
    });
    expect(hub.exitCode, stderr).toBeNull();
    expect(fs.readdirSync(dataDir).length).toBeGreaterThan(0); // it keeps its data in the volume's folder
    hub.kill('SIGTERM');
    await new Promise((resolve) => hub.once('close', resolve));
  });
});
