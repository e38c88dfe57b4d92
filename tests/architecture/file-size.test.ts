// No source file in src/ is over MAX_LINES lines (issue 16): a file that size holds one concern and
// can be read in one sitting. Generated files (*.generated.ts) are not written by hand and do not
// count. The exceptions are files not split yet: an entry whose file has come under the limit, or
// is gone, fails the test too, so the list cannot outlive the work it waits for.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const MAX_LINES = 400;
const SRC = path.resolve('src');

/** Files still over the limit, waiting for their split (paths relative to the repository). */
const NOT_SPLIT_YET: readonly string[] = [];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.generated.ts') ? [full] : [];
  });
}

/** Lines as `wc -l` counts them: a last line without its newline still counts. */
function lineCount(text: string): number {
  if (text === '') return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

function sizes(): Map<string, number> {
  return new Map(sourceFiles(SRC).map((file) => [path.relative(process.cwd(), file).split(path.sep).join('/'), lineCount(fs.readFileSync(file, 'utf8'))]));
}

/** Exceptions that no longer excuse anything: the file is at or under the limit, or does not exist. */
function staleExceptions(exceptions: readonly string[], measured: ReadonlyMap<string, number>): string[] {
  return exceptions.flatMap((file) => {
    const lines = measured.get(file);
    if (lines === undefined) return [`${file}: no such file`];
    return lines <= MAX_LINES ? [`${file}: ${lines} lines, not over ${MAX_LINES}`] : [];
  });
}

describe('file size', () => {
  it('counts lines as wc -l does', () => {
    expect([lineCount(''), lineCount('a'), lineCount('a\n'), lineCount('a\nb'), lineCount('a\nb\n'), lineCount('\n\n')]).toEqual([0, 1, 1, 2, 2, 2]);
  });

  it(`no .ts file in src/ is over ${MAX_LINES} lines, but those not split yet`, () => {
    const tooLong = [...sizes()].filter(([file, lines]) => lines > MAX_LINES && !NOT_SPLIT_YET.includes(file)).map(([file, lines]) => `${file}: ${lines} lines`);
    expect(tooLong, `over ${MAX_LINES} lines: split along its seams`).toEqual([]);
  });

  it('lists no exception that is no longer over the limit', () => {
    expect(staleExceptions(NOT_SPLIT_YET, sizes()), 'remove these from NOT_SPLIT_YET').toEqual([]);
  });

  it('calls an exception stale when its file is under the limit or gone, not while it is over', () => {
    const measured = new Map([
      ['src/a.ts', MAX_LINES + 1],
      ['src/b.ts', MAX_LINES],
    ]);
    expect(staleExceptions(['src/a.ts', 'src/b.ts', 'src/gone.ts'], measured)).toEqual([`src/b.ts: ${MAX_LINES} lines, not over ${MAX_LINES}`, 'src/gone.ts: no such file']);
  });
});
