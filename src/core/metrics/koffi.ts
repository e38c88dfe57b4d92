// The one door to koffi, the FFI the Windows and macOS readers call the OS through.
//
// Why koffi: its npm package ships prebuilt binaries for every OS we target (one optional
// package per platform, @koromix/koffi-win32-x64, -darwin-arm64, …), so no compiler is needed on
// install, it is actively released (3.3.4: 2026-10), and it supports Node-API 8 (Node 22, 24 and
// Electron). ffi-napi, the older choice, has had no release since 2022 and compiles on install.
// Node itself has no FFI in the versions we support.
//
// Loaded only when a native reader set is built (Windows or macOS), never on Linux: the import is
// dynamic and nothing else refers to koffi at run time. When the platform package is missing or
// cannot load (a partial install, an unsupported CPU), the import throws and the caller falls back
// to the portable readers, saying why (index.ts).
import type * as KoffiTypes from 'koffi';

export type Koffi = typeof KoffiTypes;
export type LoadKoffi = () => Promise<Koffi>;

export const loadKoffi: LoadKoffi = async () => {
  const mod = (await import('koffi')) as Koffi & { default?: Koffi };
  return mod.default ?? mod;
};

/** The platform package koffi needs here, for messages: @koromix/koffi-win32-x64 and so on. */
export function koffiPackageFor(platform: NodeJS.Platform, arch: string): string {
  return `@koromix/koffi-${platform}-${arch}`;
}

/** koffi.load, with the library's name in the error (koffi's own message leaves it out). */
export function loadLibrary(koffi: Koffi, name: string): ReturnType<Koffi['load']> {
  try {
    return koffi.load(name);
  } catch (error) {
    throw new Error(`cannot load ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
