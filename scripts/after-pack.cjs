// electron-builder's afterPack hook (electron-builder.yml): on macOS, an ad-hoc signature when no
// signing identity is configured.
//
// electron-builder writes Info.plist (LSUIElement, the version, the name) after Electron's own
// ad-hoc signature was made, which breaks it; without a certificate it then skips signing, so a
// downloaded (quarantined) app on Apple Silicon is refused as "damaged", with no "Open anyway".
// Signed ad hoc here, inside out (@electron/osx-sign, as electron-builder's own `identity: "-"`
// does), it is a valid if anonymous signature: macOS then offers "Open anyway" (System Settings →
// Privacy & Security) for an app from an unidentified developer. Hardened runtime stays off for
// it: library validation under the hardened runtime refuses an ad-hoc Electron Framework.
// With CSC_LINK (or CSC_NAME) set, electron-builder signs with that identity after this hook and
// notarizes when APPLE_ID / APPLE_APP_SPECIFIC_PASSWORD / APPLE_TEAM_ID (or an API key) are set.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

/** Whether electron-builder will sign this build with a real identity itself. */
function hasSigningIdentity(env = process.env) {
  return Boolean(env.CSC_LINK || env.CSC_NAME);
}

async function afterPack(context) {
  if (context.electronPlatformName !== 'darwin' || hasSigningIdentity()) return;
  const app = path.join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`);
  const { signAsync } = require('@electron/osx-sign');
  await signAsync({
    app,
    identity: '-',
    identityValidation: false,
    preAutoEntitlements: false,
    optionsForFile: () => ({ hardenedRuntime: false }),
  });
  // A broken seal here is what users would see as "damaged": fail the build instead.
  execFileSync('codesign', ['--verify', '--deep', '--strict', '--verbose=2', app], { stdio: 'inherit' });
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.hasSigningIdentity = hasSigningIdentity;
