// systemd units for the agent and the hub (Linux).
//
// User units (the default, no root needed) run as the installing user from its login session
// (`loginctl enable-linger USER` keeps them running without one). They get the hardening that
// works in a per-user service manager without namespaces: NoNewPrivileges plus seccomp-based
// restrictions. The mount-namespace options (ProtectSystem=, PrivateTmp=, ReadWritePaths=, …) need
// PrivateUsers= in a user unit, which maps every other user to "nobody" (so `top` through the
// agent's API would show every other process as nobody's) and fails outright where unprivileged
// user namespaces are restricted; a user unit is no more privileged than its user anyway.
//
// System units (--system) run at boot as a dynamic, unprivileged system user (DynamicUser=) with
// the full sandbox: ProtectSystem=strict makes the whole file system read-only, and
// StateDirectory= gives the service its one writable folder, /var/lib/vigil (or vigil-hub) — the
// DynamicUser form of ReadWritePaths= for the data folder, which systemd also creates and owns.
//
// Exit codes that a restart cannot fix (bad usage 2, another agent holds the data folder 75,
// invalid settings 78) stop the restart loop: Restart=on-failure, RestartPreventExitStatus=.
import { describe, serviceArgv, serviceEnvironment, serviceNames, type ServiceSpec } from './spec.js';

/** Data folders of system units: /var/lib/<StateDirectory>. */
export function systemStateDirectory(role: ServiceSpec['role']): string {
  return role === 'agent' ? 'vigil' : 'vigil-hub';
}

/** Quotes one ExecStart argument for systemd: `%` and `$` escaped, quoted when it has to be. */
export function systemdQuote(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Where the unit file goes. */
export function systemdUnitPath(spec: Pick<ServiceSpec, 'role' | 'scope'>, dirs: { home: string; root?: string }): string {
  const name = serviceNames(spec.role).systemd;
  return spec.scope === 'system' ? `${dirs.root ?? ''}/etc/systemd/system/${name}`.replace(/^\/\//, '/') : `${dirs.home}/.config/systemd/user/${name}`;
}

/** Optional environment file (tokens: VIGIL_TOKEN, VIGIL_HUB_TOKEN) read by systemd, never by other users. */
export function systemdEnvironmentFile(spec: ServiceSpec): string {
  return spec.scope === 'system' ? `/etc/vigil/vigil-${spec.role}.env` : `${spec.dataDir}/vigil-${spec.role}.env`;
}

export function systemdUnit(spec: ServiceSpec): string {
  const system = spec.scope === 'system';
  const lines = [
    `# Written by \`vigil service install${spec.role === 'hub' ? ' --hub' : ''}${system ? ' --system' : ''}\` (Vigil ${spec.version}).`,
    `# Remove with \`vigil service uninstall${spec.role === 'hub' ? ' --hub' : ''}${system ? ' --system' : ''}\`; edits here are replaced by the next install.`,
    '[Unit]',
    `Description=${describe(spec)}`,
    // User managers have no network-online.target; the agent copes with a network that comes later.
    ...(system ? ['Wants=network-online.target', 'After=network-online.target'] : []),
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${serviceArgv(spec).map(systemdQuote).join(' ')}`,
    // SIGHUP re-reads the settings file without a restart.
    ...(spec.role === 'agent' ? ['ExecReload=/bin/kill -HUP $MAINPID'] : []),
    'Restart=on-failure',
    'RestartSec=5',
    'RestartPreventExitStatus=2 75 78',
    // The agent flushes its batch and closes the database on SIGTERM.
    'TimeoutStopSec=30',
    'Environment=NODE_ENV=production',
    ...Object.entries(serviceEnvironment(spec)).map(([name, value]) => `Environment=${name}=${value}`),
    // The whole rest of the line is the path (no quoting), but % still starts a specifier.
    `EnvironmentFile=-${systemdEnvironmentFile(spec).replace(/%/g, '%%')}`,
    'UMask=0077',
    'NoNewPrivileges=yes',
    'LockPersonality=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'RestrictNamespaces=yes',
    'SystemCallArchitectures=native',
  ];
  if (system) {
    lines.push(
      'DynamicUser=yes',
      `StateDirectory=${systemStateDirectory(spec.role)}`,
      'StateDirectoryMode=0750',
      'ProtectSystem=strict',
      'ProtectHome=read-only',
      'PrivateTmp=yes',
      'PrivateDevices=yes',
      'ProtectKernelTunables=yes',
      'ProtectKernelModules=yes',
      'ProtectKernelLogs=yes',
      'ProtectControlGroups=yes',
      'ProtectClock=yes',
      'ProtectHostname=yes',
      'CapabilityBoundingSet=',
      // Netlink: os.networkInterfaces() lists addresses through it.
      'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    );
  }
  lines.push('', '[Install]', `WantedBy=${system ? 'multi-user.target' : 'default.target'}`, '');
  return lines.join('\n');
}
