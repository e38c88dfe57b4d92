// The `vigil` command. Parsing only: each command's work lives in commands/, imported when that
// command runs, so the long-running agent never loads export, status or watch code.
import { Argument, Command, CommanderError, Option } from 'commander';
import { VigilError } from '../shared/errors.js';
import { DEFAULT_PROCESS_LIMIT, MAX_PROCESS_LIMIT, PROCESS_SORTS } from '../shared/processes.js';
import { collectHosts, collectNames, parseChartKinds, parseCount, parseInfluxInterval, parseIntervalSeconds, parseLimit, parseLogLevel, parsePort, parseWidth } from './options.js';
import { ALL_PANEL_KINDS } from '../shared/panels.js';
import { VERSION } from '../core/version.js';
import { collectAddresses, collectPeers, parseDurationSeconds } from './commands/alert-options.js';

const DATA_DIR_HELP = 'data folder (default: $VIGIL_DATA_DIR or the per-user app data folder)';

export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil system monitor: sample this machine, keep its history, export it')
    .version(VERSION, '-v, --version')
    .exitOverride()
    // Usage errors as one `vigil: …` line like every other error (set before the subcommands,
    // which inherit it). commander's own text may span lines ("Did you mean …?").
    .configureOutput({ outputError: (text, write) => write(`vigil: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (run with --help for usage)\n`) });

  program
    .command('agent')
    .description('sample this machine until stopped (SIGINT/SIGTERM), into SQLite and daily CSV files')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--interval <seconds>', 'seconds between samples, 1-3600 (default from settings: 1)', parseIntervalSeconds)
    .option('--config <file>', 'settings file (default: <data-dir>/config.json, created when missing); another file must exist')
    .option('--init-config', 'create the --config file with the defaults if it does not exist')
    .addOption(new Option('--log-level <level>', 'error, warn, info or debug (default from settings: info)').argParser(parseLogLevel))
    .addOption(new Option('--log-format <format>', 'log lines as text, or json (one object a line, for Loki or ELK)').choices(['text', 'json']))
    .option('--sync <url>', 'send samples to a Vigil hub at this URL (http or https), backfilling what it lacks; off by default')
    // No .env() here: sync reads $VIGIL_SYNC_TOKEN itself, so `options.token` is only ever the
    // flag, and a --token without a hub to send it to can be refused (an inherited variable is not).
    .option('--token <token>', "this machine's hub token for --sync (vigil hub add-machine prints it); prefer $VIGIL_SYNC_TOKEN or the file <data-dir>/sync-token (mode 0600), which ps does not show")
    .addOption(new Option('--sync-token <token>', 'the same as --token').hideHelp())
    .option('--sync-ca <file>', 'PEM file of a CA to trust for an https hub with a private or self-signed certificate')
    .option('--influx <url>', 'also send samples to InfluxDB or VictoriaMetrics at this URL, as line protocol (e.g. http://127.0.0.1:8086)')
    .option('--influx-db <name>', 'InfluxDB 1.x database (v1 API: /write?db=)')
    .option('--influx-org <name>', 'InfluxDB 2.x/3.x organization')
    .option('--influx-bucket <name>', 'InfluxDB 2.x/3.x bucket (selects the v2 API: /api/v2/write)')
    .option('--influx-interval <seconds>', 'one point per window of this many seconds, the mean of its samples, at the window start (default from settings: 0, every sample)', parseInfluxInterval)
    .addOption(
      new Option('--influx-token <token>', 'InfluxDB API token, or user:password for 1.x; prefer $VIGIL_INFLUX_TOKEN or the file <data-dir>/influx-token, which ps does not show').env(
        'VIGIL_INFLUX_TOKEN',
      ),
    )
    .option('--ui', 'serve the chart page and its API (http://127.0.0.1:7470/ by default)')
    .option('--host <address>', 'run the web server (API and /health; the chart page too with --ui) on this address (default from settings: 127.0.0.1); any other than loopback needs --ui-token')
    .option('--port <port>', 'run the web server on this port, 0 = any free one (default from settings: 7470)', parsePort)
    .addOption(new Option('--ui-token <token>', "access token the web server's page and API require (at least 16 characters); prefer $VIGIL_TOKEN, which ps does not show").env('VIGIL_TOKEN'))
    .option('--allowed-host <name>', 'without a token the web server answers only loopback names (127.0.0.1, localhost, [::1]): also answer this one (repeat; replaces server.allowedHosts)', collectHosts)
    .addOption(new Option('--metrics-names <names>', "names on /metrics: vigil (vigil_*) or node (node_exporter's, for its dashboards); replaces server.metricsNames").choices(['vigil', 'node']))
    .option('--peer <NAME=URL>', "watch this machine's /health and email when it stops answering (repeat; replaces peers.list); a token goes in the URL: http://:TOKEN@host:7470", collectPeers)
    .addOption(new Option('--smtp <url>', 'send alert emails through smtp://user:password@host:587 (STARTTLS) or smtps://…:465 (TLS); prefer $VIGIL_SMTP, which ps does not show').env('VIGIL_SMTP'))
    .option('--alert-from <address>', 'From address of alert emails (default from settings)')
    .option('--alert-to <address>', 'recipient of alert emails (repeat)', collectAddresses)
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
    .addOption(
      new Option(
        '--time-format <format>',
        'the time column: iso (2026-11-22T14:03:05+01:00), local (2026-11-22 14:03:05, a date to LibreOffice and Excel) or unix (seconds); default: csv.exportTimeFormat in the settings (iso)',
      )
        .choices(['iso', 'local', 'unix']),
    )
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (options) => {
      const { runExport } = await import('./commands/export.js');
      process.exitCode = await runExport(options);
    });

  program
    .command('chart [DD-MM-YYYY]')
    .description('render charts (CPU, per core, memory, swap, load, disks, each interface) of a day, the last minutes or hours, or a span of days to a PNG image')
    .requiredOption('--out <file>', 'the PNG file to write')
    .addOption(new Option('--last <span>', 'the last 15m, 1h, 6h or 24h up to now').choices(['15m', '1h', '6h', '24h']))
    .option('--from <DD-MM-YYYY>', 'first day of a span (with --to)')
    .option('--to <DD-MM-YYYY>', 'last day of a span (inclusive)')
    .option('--week <DD-MM-YYYY>', 'the week (Monday to Sunday) holding this day')
    .option('--month <MM-YYYY>', 'a month')
    .option('--charts <list>', `which charts, comma-separated: ${ALL_PANEL_KINDS.join(', ')} (default: every one with data)`, parseChartKinds)
    .option('--iface <name>', 'chart this interface (repeat, or comma-separate; default: every physical one)', collectNames, undefined)
    .option('--width <pixels>', 'image width, 600-4000 (default 1200)', parseWidth)
    .addOption(new Option('--theme <theme>', 'light or dark').choices(['light', 'dark']).default('light'))
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (date: string | undefined, options) => {
      const { runChart } = await import('./commands/chart.js');
      process.exitCode = await runChart(date, options);
    });

  program
    .command('traffic')
    .description('bytes received and sent per interface over a day, a billing month or a span of days (default: the billing period holding today), and the quotas')
    .option('--day <DD-MM-YYYY>', 'one local day')
    .option('--month <MM-YYYY>', 'a billing month: from traffic.resetDay of that month to the day before it in the next')
    .option('--from <DD-MM-YYYY>', 'first day of a span (with --to)')
    .option('--to <DD-MM-YYYY>', 'last day of a span (inclusive)')
    .option('--json', 'machine-readable output (bytes)')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (options) => {
      const { runTraffic } = await import('./commands/traffic.js');
      process.exitCode = await runTraffic(options);
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
    .command('sample')
    .description('print samples from this machine\'s readers as they come, like `sar 1 5`, and name the reader set in use (opens no database and no data folder)')
    .option('--count <n>', 'how many samples, 1-86400', parseCount, 5)
    .option('--interval <seconds>', 'seconds between samples, 1-3600', parseIntervalSeconds, 1)
    .option('--json', 'one JSON object per sample and line (with the reader set and the latest disk reading)')
    .option('--portable', 'use the portable readers (Node\'s os module + systeminformation) instead of this OS\'s own')
    .action(async (options) => {
      const { runSample } = await import('./commands/sample.js');
      process.exitCode = await runSample(options);
    });

  program
    .command('test-email')
    .description('send a test email with the alert settings (or the flags below) now, and show what the SMTP server answered')
    .addOption(new Option('--smtp <url>', 'smtp://user:password@host:587 (STARTTLS) or smtps://…:465 (TLS); prefer $VIGIL_SMTP').env('VIGIL_SMTP'))
    .option('--alert-from <address>', 'From address')
    .option('--alert-to <address>', 'recipient (repeat)', collectAddresses)
    .option('--json', 'machine-readable output')
    .option('--config <file>', 'settings file (default: <data-dir>/config.json)')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (options) => {
      const { runTestEmail } = await import('./commands/test-email.js');
      process.exitCode = await runTestEmail(options);
    });

  program
    .command('alerts')
    .description('what is wrong now, the latest alerts and whether their emails went out')
    .option('--limit <n>', 'how many alerts, 1-1000', parseLimit, 20)
    .option('--json', 'machine-readable output')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (options) => {
      const { runAlerts } = await import('./commands/alerts.js');
      process.exitCode = await runAlerts(options);
    });

  program
    .command('sleep')
    .description('tell the running agent (and its peers) this machine is going away for a while, e.g. a planned reboot: no DOWN alert before the deadline')
    .option('--for <duration>', 'back within this long: 90s, 10m, 2h, 1d (default 10m)', parseDurationSeconds)
    .option('--until <time>', 'back by this local time, ISO 8601 (e.g. 2026-11-22T14:30)')
    .option('--indefinite', 'no deadline: peers wait until it answers again')
    .option('--wake', 'cancel: this machine is awake again')
    .option('--url <url>', "the agent's server (default from settings: http://127.0.0.1:7470)")
    .addOption(new Option('--token <token>', "the agent server's access token, if it has one").env('VIGIL_TOKEN'))
    .option('--json', 'machine-readable output')
    .option('--config <file>', 'settings file (default: <data-dir>/config.json)')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (options) => {
      const { runSleep } = await import('./commands/sleep.js');
      process.exitCode = await runSleep(options);
    });

  program
    .command('top')
    .description('the processes using the most CPU or memory right now (read-only: Vigil never runs or signals processes)')
    .addOption(new Option('--sort <key>', 'cpu or mem').choices(PROCESS_SORTS).default('cpu'))
    .option('--limit <n>', `how many processes, 1-${MAX_PROCESS_LIMIT}`, parseLimit, DEFAULT_PROCESS_LIMIT)
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      const { runTop } = await import('./commands/top.js');
      process.exitCode = await runTop(options);
    });

  const service = program
    .command('service')
    .description('run the agent (or the hub) as a service of this OS: systemd, launchd or Task Scheduler');
  for (const action of ['install', 'uninstall', 'status'] as const) {
    const sub = service
      .command(action)
      .description(
        action === 'install'
          ? 'write the service definition, enable and start it (--dry-run prints it instead)'
          : action === 'uninstall'
            ? 'stop and remove the service (its data stays)'
            : 'whether the service is installed and running',
      )
      .option('--hub', 'the hub service instead of the agent')
      .option('--system', 'machine-wide, started at boot (needs root / an administrator); default: this user')
      .option('--data-dir <dir>', `${DATA_DIR_HELP}; system services on Linux use /var/lib/vigil`);
    if (action === 'status') sub.option('--json', 'machine-readable output');
    else sub.option('--dry-run', 'print what would be written and run, change nothing');
    if (action === 'install') {
      sub.option('--host <address>', 'hub only: address it listens on').option('--port <port>', 'hub only: port it listens on', parsePort);
    }
    sub.action(async (options) => {
      const { runService } = await import('./commands/service.js');
      process.exitCode = await runService(action, options);
    });
  }

  program
    .command('logs')
    .description("show the agent's log (<data-dir>/logs/vigil.log); --follow keeps printing, across rotation")
    .option('-f, --follow', 'keep printing new lines (Ctrl-C to stop)')
    .option('-n, --lines <n>', 'how many of the last lines, 1-1000', parseLimit, 50)
    .addOption(new Option('--level <level>', 'only lines at this level or more severe: error, warn, info, debug').argParser(parseLogLevel))
    .option('--hub', "the hub's log instead of the agent's")
    .option('--app', "the tray app's log (<data-dir>/logs/app.log) instead of the agent's")
    .option('--json', 'each line as one JSON object (time, level, msg and its fields), whatever the log format')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (options) => {
      const { runLogs } = await import('./commands/logs.js');
      process.exitCode = await runLogs(options);
    });

  // The hub: `vigil hub` serves; its subcommands manage machines (in hub.db, whether it runs or not).
  const HUB_DATA_DIR_HELP = 'hub data folder (default: $VIGIL_HUB_DATA_DIR or <default data folder>/hub)';
  const hub = program
    .command('hub')
    .description('run the hub that machines report to (until SIGINT/SIGTERM); see also its subcommands')
    .option('--data-dir <dir>', HUB_DATA_DIR_HELP)
    .option('--host <address>', 'address to listen on (default from settings: 127.0.0.1); any other than loopback needs --token')
    .option('--port <port>', 'port, 0 = any free one (default from settings: 7471)', parsePort)
    .addOption(new Option('--token <token>', 'token the read API and live feed require (the pages ask for it; at least 16 characters); prefer $VIGIL_HUB_TOKEN').env('VIGIL_HUB_TOKEN'))
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; with --tls-key)')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option('--allowed-host <name>', 'without a token the hub answers only loopback names (127.0.0.1, localhost, [::1]): also answer this one (repeat; replaces hub.allowedHosts)', collectHosts)
    .option('--influx <url>', "also write every machine's samples the hub stores to InfluxDB or VictoriaMetrics at this URL, as an agent's --influx does (in order, retried, nothing lost while it is down)")
    .option('--influx-db <name>', 'InfluxDB 1.x database (v1 API: /write?db=)')
    .option('--influx-org <name>', 'InfluxDB 2.x/3.x organization')
    .option('--influx-bucket <name>', 'InfluxDB 2.x/3.x bucket (selects the v2 API: /api/v2/write)')
    .option('--influx-interval <seconds>', 'one point per window of this many seconds, the mean of its samples, at the window start (default from settings: 0, every sample)', parseInfluxInterval)
    .addOption(
      new Option('--influx-token <token>', 'InfluxDB API token, or user:password for 1.x; prefer $VIGIL_INFLUX_TOKEN or the file <hub-data-dir>/influx-token, which ps does not show').env('VIGIL_INFLUX_TOKEN'),
    )
    .addOption(new Option('--log-level <level>', 'error, warn, info or debug (default from settings: info)').argParser(parseLogLevel))
    .addOption(new Option('--log-format <format>', 'log lines as text, or json (one object a line, for Loki or ELK)').choices(['text', 'json']))
    .action(async (options) => {
      const { runHub } = await import('./commands/hub.js');
      process.exitCode = await runHub(options);
    });
  hub
    .command('add-machine <name>')
    .description('register a machine and print its token, once (the hub keeps only a hash)')
    .option('--data-dir <dir>', HUB_DATA_DIR_HELP)
    .option('--json', 'machine-readable output')
    .action(async (name: string, options) => {
      const { runAddMachine } = await import('./commands/hub.js');
      process.exitCode = await runAddMachine(name, { ...hub.opts(), ...options });
    });
  hub
    .command('revoke <machine>')
    .description('revoke a machine (by id or name): its token stops working at once; its data stays')
    .option('--json', 'machine-readable output')
    .option('--data-dir <dir>', HUB_DATA_DIR_HELP)
    .action(async (machine: string, options) => {
      const { runRevokeMachine } = await import('./commands/hub.js');
      process.exitCode = await runRevokeMachine(machine, { ...hub.opts(), ...options });
    });
  hub
    .command('list')
    .description('the machines, their state (up / stale / sleeping / new) and when each was last seen')
    .option('--data-dir <dir>', HUB_DATA_DIR_HELP)
    .option('--all', 'include revoked machines')
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      const { runListMachines } = await import('./commands/hub.js');
      process.exitCode = await runListMachines({ ...hub.opts(), ...options });
    });

  program
    .command('completion')
    .description('print a shell completion script: source <(vigil completion bash)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: string) => {
      const { completionScript } = await import('./commands/completion.js');
      process.stdout.write(completionScript(program, shell));
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
