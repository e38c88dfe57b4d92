// Electronegativity (Doyensec's Electron security scanner) over the app's own sources: the main
// process, the preload and the pages (src/main, src/preload, src/renderer), with package.json for
// the Electron version.
//   npx tsx scripts/electronegativity.ts       (tests/main/electronegativity.test.ts runs it too)
// Exits 1 on a finding that counts: any HIGH, or MEDIUM with FIRM or CERTAIN confidence.
// Runs offline: its translation loader, which fetches fresh translations from S3 at every run
// (and, through got's retry, can throw an uncaught ENOTFOUND after it has given up: seen on Node
// 24 in CI), is replaced by one that loads the bundled English only (offlineTranslations); the check that downloads Electron's release list (AvailableSecurityFixesGlobalCheck) is left
// out, because CI has no internet (the release workflow builds with the pinned Electron, and
// Electron updates come through package.json like any other dependency).
//
// Its CLI entry is broken with the commander that npm hoists here, so the runner is called as a
// library.
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export interface Finding {
  id: string;
  severity: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH';
  confidence: 'TENTATIVE' | 'FIRM' | 'CERTAIN';
  file: string;
  line: number;
  description: string;
}

export interface ScanResult {
  findings: Finding[];
  /** Files it could not parse (so did not check). */
  errors: { file: string; message: string }[];
}

interface RawIssue {
  id: string;
  file: string;
  location: { line: number };
  severity: { name: string };
  confidence: { name: string };
  description: string;
}

type Runner = (options: Record<string, unknown>, forCli: boolean) => Promise<{ issues: RawIssue[]; errors: { file: string; message: string; tolerable: boolean }[] }>;

export const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

/**
 * Puts in the scanner's module cache, before it loads, a translation loader that configures the
 * same i18n with its bundled locales and never goes to the network.
 */
function offlineTranslations(): void {
  const loaderPath = require.resolve('@doyensec/electronegativity/dist/locales/i18n.js');
  if (require.cache[loaderPath]) return;
  const i18n = require(require.resolve('i18n', { paths: [path.dirname(loaderPath)] })) as {
    configure(options: Record<string, unknown>): void;
    setLocale(locale: string): void;
  };
  const load = (): Promise<void> => {
    i18n.configure({
      locales: ['en-US', 'es-ES', 'fr-FR'],
      defaultLocale: 'en-US',
      directory: path.dirname(loaderPath),
      updateFiles: false,
      objectNotation: true,
      retryInDefaultLocale: true,
      register: global,
    });
    i18n.setLocale('en-US');
    return Promise.resolve();
  };
  const loader = new Module(loaderPath);
  loader.filename = loaderPath;
  loader.exports = load;
  loader.loaded = true;
  require.cache[loaderPath] = loader;
}

/** Scans `dir` (a folder of sources with a package.json). */
export async function scan(dir: string, electronVersion: string): Promise<ScanResult> {
  offlineTranslations();
  const loaded = require('@doyensec/electronegativity') as Runner | { default: Runner };
  const run = typeof loaded === 'function' ? loaded : loaded.default;
  const result = await run(
    { input: dir, customScan: [], excludeFromScan: EXCLUDED_CHECKS, severitySet: 'informational', confidenceSet: 'tentative', isRelative: true, electronVersionOverride: electronVersion, parserPlugins: [] },
    false,
  );
  return {
    findings: result.issues.map((issue) => ({
      id: issue.id,
      severity: issue.severity.name as Finding['severity'],
      confidence: issue.confidence.name as Finding['confidence'],
      file: issue.file,
      line: issue.location.line,
      description: issue.description,
    })),
    errors: result.errors.filter((error) => !error.tolerable).map(({ file, message }) => ({ file, message })),
  };
}

/** The findings that fail the scan. */
export function blocking(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'HIGH' || (f.severity === 'MEDIUM' && f.confidence !== 'TENTATIVE'));
}

/** Copies the app's sources into a temporary folder (the scanner walks everything it is given). */
export function stageAppSources(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-electronegativity-'));
  for (const part of ['src/main', 'src/preload', 'src/renderer']) fs.cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  return dir;
}

export function electronVersion(): string {
  return (require('electron/package.json') as { version: string }).version;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = stageAppSources();
  try {
    const { findings, errors } = await scan(dir, electronVersion());
    for (const f of findings) process.stdout.write(`${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id.padEnd(28)} ${f.file}:${f.line}  ${f.description}\n`);
    for (const e of errors) process.stdout.write(`NOT PARSED    ${e.file}: ${e.message}\n`);
    const failing = blocking(findings);
    process.stdout.write(`electronegativity: ${findings.length} findings, ${failing.length} blocking, ${errors.length} unparsed files\n`);
    process.exitCode = failing.length > 0 || errors.length > 0 ? 1 : 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
