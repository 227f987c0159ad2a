import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Unit tests only: the library, the demo and the SDK stand-in, in jsdom, with a fake `window.SR`
// and a mocked fetch. The browser tests have their own configuration (vitest.e2e.config.ts).
export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
