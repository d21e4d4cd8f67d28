import express, { Router } from 'express';
import path from 'node:path';
import type { OpenApiAggregator } from './openapi-aggregator';

/** swagger-ui-dist's own files (no CDN: browsers of the test machine and of many intranets have no internet). */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const ASSET = /^\/(swagger-ui\.css|swagger-ui-bundle\.js|favicon-(16x16|32x32)\.png)$/;

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Platform API · api-gateway</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/gateway-docs.js"></script>
  </body>
</html>
`;

// A file of its own, not an inline script: the CSP allows scripts from this origin only.
const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/docs/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout'
  });
});
`;

/** `/docs` (Swagger UI), `/docs/openapi.json` (the merged document) and Swagger UI's static assets. */
export function docsRouter(aggregator: OpenApiAggregator): Router {
  const router = Router();
  router.get('/openapi.json', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.json(await aggregator.document());
  });
  router.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/gateway-docs.js', (_req, res) => {
    res.type('text/javascript').send(INITIALIZER);
  });
  // Only the assets the page uses: swagger-ui-dist's own index.html and initializer point at the petstore demo.
  const assets = express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' });
  router.use((req, res, next) => {
    if (!ASSET.test(req.path)) return next();
    // Public files: let express.static set its own max-age instead of the app's default no-store.
    res.removeHeader('Cache-Control');
    return assets(req, res, next);
  });
  return router;
}
