// What a CLI command of the built dist/ can load: the files and the npm packages reachable from
// bin's entry (dist/agent/main.js) through static imports, plus everything the command's own module
// reaches, dynamic imports included (cli.ts imports each command's module only when it runs).
// esbuild reads the imports (its metafile), so every import form counts: static, dynamic, require.
//
// Used by the test that `vigil sample` never reaches better-sqlite3, and by scripts/wine-node.ts
// to stage only the packages `vigil sample` needs for the Windows node.exe.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';

export interface CommandGraph {
  /** Files of dist/ (relative to the project root). */
  files: string[];
  /** npm package names (not Node built-ins), sorted. */
  packages: string[];
}

const BUILTINS = new Set(builtinModules);

function packageName(specifier: string): string | null {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

async function metafileOf(entries: string[], root: string): Promise<Metafile> {
  const result = await build({
    entryPoints: entries,
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: path.join(root, '.import-graph-unused'),
    logLevel: 'silent',
  });
  return result.metafile;
}

/**
 * The graph of `vigil <command>` in dist/: `commandModule` is the command's file under dist, e.g.
 * 'dist/agent/commands/sample.js'.
 */
export async function commandGraph(commandModule: string, root = process.cwd(), entry = 'dist/agent/main.js'): Promise<CommandGraph> {
  const meta = await metafileOf([entry, commandModule], root);
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string, followDynamic: boolean): void => {
    if (files.has(`${file}\n${followDynamic}`)) return;
    files.add(`${file}\n${followDynamic}`);
    for (const imported of meta.inputs[file]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' && !followDynamic) continue;
      if (imported.external) {
        const name = packageName(imported.path);
        if (name) packages.add(name);
      } else {
        walk(imported.path, followDynamic);
      }
    }
  };
  walk(entry, false);
  walk(commandModule, true);
  return {
    files: [...new Set([...files].map((key) => key.split('\n')[0]!))].sort(),
    packages: [...packages].sort(),
  };
}
