import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// One bundle, public/dist/shop.js, which the shop's page loads: Express renders the HTML (the
// customer, the tracker snippet), so no index.html here.
export default defineConfig({
  plugins: [react()],
  // The synerise-auth packages are linked from the repository's web/ folder: one React for all.
  resolve: { dedupe: ['react', 'react-dom'] },
  build: {
    outDir: '../public/dist',
    emptyOutDir: true,
    rollupOptions: {
      input: 'src/main.jsx',
      output: { entryFileNames: 'shop.js', chunkFileNames: '[name].js', assetFileNames: '[name][extname]' },
    },
  },
});
