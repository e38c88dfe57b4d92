// launchd jobs for the agent and the hub (macOS): a LaunchAgent in ~/Library/LaunchAgents (runs
// in the user's session, no admin rights) or, with --system, a LaunchDaemon in
// /Library/LaunchDaemons (runs at boot, as root: macOS has no dynamic service users).
//
// KeepAlive { SuccessfulExit: false } restarts the job when it fails, not when it was stopped on
// purpose; ThrottleInterval spaces the restarts. No StandardOutPath/StandardErrorPath: the agent
// writes its own rotated log (<data-dir>/logs/vigil.log, `vigil logs`), and launchd's files would
// grow without bound.
import { describe, serviceArgv, serviceEnvironment, serviceNames, type ServiceSpec } from './spec.js';

export function launchdPlistPath(spec: Pick<ServiceSpec, 'role' | 'scope'>, dirs: { home: string; root?: string }): string {
  const file = `${serviceNames(spec.role).launchd}.plist`;
  return spec.scope === 'system' ? `${dirs.root ?? ''}/Library/LaunchDaemons/${file}`.replace(/^\/\//, '/') : `${dirs.home}/Library/LaunchAgents/${file}`;
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function launchdPlist(spec: ServiceSpec): string {
  const string = (value: string) => `<string>${xmlEscape(value)}</string>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    `<!-- Written by vigil service install (Vigil ${xmlEscape(spec.version)}). ${xmlEscape(describe(spec))} -->`,
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  ${string(serviceNames(spec.role).launchd)}`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...serviceArgv(spec).map((arg) => `    ${string(arg)}`),
    '  </array>',
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    '    <key>NODE_ENV</key>',
    `    ${string('production')}`,
    ...Object.entries(serviceEnvironment(spec)).flatMap(([name, value]) => [`    <key>${xmlEscape(name)}</key>`, `    ${string(value)}`]),
    '  </dict>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>ThrottleInterval</key>',
    '  <integer>10</integer>',
    '  <key>ExitTimeOut</key>',
    '  <integer>30</integer>',
    '  <key>ProcessType</key>',
    `  ${string('Background')}`,
    '  <key>Umask</key>',
    '  <integer>63</integer>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
