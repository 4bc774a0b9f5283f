export { createAlpacaEmulator } from './emulator.js';
export type { AlpacaEmulator, AlpacaEmulatorOptions } from './emulator.js';
