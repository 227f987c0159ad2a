import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The ES module a shop's bundler imports; React and the core package stay the shop's own.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'index.js',
    },
    rollupOptions: {
      external: [/^react($|\/)/, /^react-dom($|\/)/, '@synerise-auth/browser'],
    },
  },
});
