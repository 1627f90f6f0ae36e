// Vite config for the e-WOKiSS static site (Preact, JSX via Vite's built-in oxc transform).
//
// `npm run dev` proxies the API like serve.mjs does; point it at the local stack with
//   EWOKISS_LAMBDA=http://127.0.0.1:9000 EWOKISS_COGNITO=http://127.0.0.1:5000 \
//   EWOKISS_CONFIG=/path/to/config.json npm run dev
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const lambda = process.env.EWOKISS_LAMBDA || 'http://127.0.0.1:9000';
const cognito = process.env.EWOKISS_COGNITO || 'http://127.0.0.1:5000';
const configPath = process.env.EWOKISS_CONFIG;

export default defineConfig({
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  resolve: {
    alias: {
      react: 'preact/compat',
      'react-dom': 'preact/compat',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api/staff': { target: lambda, rewrite: (p) => '/lambda-url/staff-api' + p },
      '/api/extranet': { target: lambda, rewrite: (p) => '/lambda-url/extranet-api' + p },
      '/auth/': { target: cognito, rewrite: (p) => p.replace(/^\/auth\//, '/') },
    },
  },
  plugins: [
    {
      name: 'ewokiss-config-json',
      configureServer(server) {
        server.middlewares.use('/config.json', (_req, res, next) => {
          if (!configPath) return next();
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.setHeader('Cache-Control', 'no-store');
          res.end(readFileSync(configPath));
        });
      },
    },
  ],
});
