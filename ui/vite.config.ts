import { defineConfig } from 'vitest/config';

export default defineConfig({
  clearScreen: false,
  build: {
    // Built into .build, then copied into dist only where bytes changed (scripts/sync-dist.mjs).
    outDir: '.build',
    target: 'es2022',
    // One small bundle: the webview loads it from the app binary.
    modulePreload: false,
    cssCodeSplit: false,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
  },
});
