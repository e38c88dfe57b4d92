// The `vigil` command. Parsing only: each command's work lives in commands/, imported when that
// command runs, so the long-running agent never loads export, status or watch code.
import { Command, CommanderError, Option } from 'commander';
import { VigilError } from '../shared/errors.js';
import { parseIntervalSeconds, parseLimit, parseLogLevel, parsePort } from './options.js';
import { VERSION } from '../core/version.js';

const DATA_DIR_HELP = 'data folder (default: $VIGIL_DATA_DIR or the per-user app data folder)';

export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil system monitor: sample this machine, keep its history, export it')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('agent')
    .description('sample this machine until stopped (SIGINT/SIGTERM), into SQLite and daily CSV files')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--interval <seconds>', 'seconds between samples, 1-3600 (default from settings: 1)', parseIntervalSeconds)
    .option('--config <file>', 'settings file (default: <data-dir>/config.json)')
    .addOption(new Option('--log-level <level>', 'error, warn, info or debug (default from settings: info)').argParser(parseLogLevel))
    .option('--influx <url>', 'also send samples to InfluxDB or VictoriaMetrics at this URL, as line protocol (e.g. http://127.0.0.1:8086)')
    .option('--influx-db <name>', 'InfluxDB 1.x database (v1 API: /write?db=)')
    .option('--influx-org <name>', 'InfluxDB 2.x/3.x organization')
    .option('--influx-bucket <name>', 'InfluxDB 2.x/3.x bucket (selects the v2 API: /api/v2/write)')
    .addOption(
      new Option('--influx-token <token>', 'InfluxDB API token, or user:password for 1.x; prefer $VIGIL_INFLUX_TOKEN or the file <data-dir>/influx-token, which ps does not show').env(
        'VIGIL_INFLUX_TOKEN',
      ),
    )
    .option('--ui', 'serve the chart page and its API (http://127.0.0.1:7470/ by default)')
    .option('--host <address>', 'address the web server listens on (default from settings: 127.0.0.1); any other than loopback needs a token')
    .option('--port <port>', 'port of the web server, 0 = any free one (default from settings: 7470)', parsePort)
    .addOption(new Option('--token <token>', 'access token the page and API require (at least 16 characters); prefer $VIGIL_TOKEN, which ps does not show').env('VIGIL_TOKEN'))
    .action(async (options) => {
      const { runAgent } = await import('./commands/agent.js');
      process.exitCode = await runAgent(options);
    });

  program
    .command('export')
    .description('write samples as CSV for a day (--date) or a range of days (--from, --to)')
    .option('--date <DD-MM-YYYY>', 'one local day')
    .option('--from <DD-MM-YYYY>', 'first day of a range (inclusive)')
    .option('--to <DD-MM-YYYY>', 'last day of a range (inclusive)')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (options) => {
      const { runExport } = await import('./commands/export.js');
      process.exitCode = await runExport(options);
    });

  program
    .command('status')
    .description('show the latest sample, host information and the agent state')
    .option('--json', 'machine-readable output')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (options) => {
      const { runStatus } = await import('./commands/status.js');
      process.exitCode = await runStatus(options);
    });

  program
    .command('watch')
    .description('live, top-like view of this machine, refreshed every interval (q or Ctrl-C to quit)')
    .option('--interval <seconds>', 'seconds between refreshes, 1-3600', parseIntervalSeconds, 1)
    .action(async (options) => {
      const { runWatch } = await import('./commands/watch.js');
      process.exitCode = await runWatch(options);
    });

  program
    .command('top')
    .description('the processes using the most CPU or memory right now (read-only: Vigil never runs or signals processes)')
    .addOption(new Option('--sort <key>', 'cpu or mem').choices(['cpu', 'mem']).default('cpu'))
    .option('--limit <n>', 'how many processes, 1-1000', parseLimit, 15)
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      const { runTop } = await import('./commands/top.js');
      process.exitCode = await runTop(options);
    });

  return program;
}

/** Runs the CLI; resolves to the process exit code. Errors become one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (help, version, or a usage error).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof VigilError) {
    process.stderr.write(`vigil: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`vigil: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
