import { defineConfig } from 'vite';

// Two builds of one entry: the ES module a bundler imports (dist/index.js) and the single script
// a page without a bundler loads (dist/synerise-auth.js, `window.SyneriseAuth`), which the service
// serves at /sdk/synerise-auth.js.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    lib: {
      entry: 'src/index.ts',
      name: 'SyneriseAuth',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'index.js' : 'synerise-auth.js'),
    },
    // Minified in both forms (Vite leaves library ES modules unminified): the size budget is what
    // a page downloads. The code has no pure annotations for the minifier to lose.
    rolldownOptions: { output: { minify: true, generatedCode: { symbols: false } } },
  },
});
