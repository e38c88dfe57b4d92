// Stands in for the 'electron' module when a test loads a library that imports it directly
// (electron-store); see electron-module.ts beside it.
export default new Proxy({}, { get: (_target, key) => globalThis.__vigilElectronStub?.[key] });
