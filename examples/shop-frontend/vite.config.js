import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// One bundle, shop.js, which each shop's server-rendered page loads: Flask or Express renders the
// HTML (the customer, the token route, the tracker snippet), so no index.html here. Where the
// bundle goes is the shop's: `./build DIST` passes `--outDir DIST` (e.g. ../flask-shop/static/dist).
export default defineConfig({
  plugins: [react()],
  // The synerise-auth packages are linked from the repository's web/ folder: one React for all.
  resolve: { dedupe: ['react', 'react-dom'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: 'src/main.jsx',
      output: { entryFileNames: 'shop.js', chunkFileNames: '[name].js', assetFileNames: '[name][extname]' },
    },
  },
});
