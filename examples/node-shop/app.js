// A small shop with its own customer accounts and sign-in (Express with express-session), a React
// page, and Synerise's tracker, whose signed-in customers' events carry a synerise-auth token.
//
// One setting chooses how tokens are made (SHOP_TOKENS):
// - `addon`: in this process, by @synerise-auth/server (SYNERISE_AUTH_KEY: a key file or key
//   directory; SYNERISE_AUTH_UUID_SALT);
// - `sidecar`: by `synerise-auth serve` beside the shop, asked with an API key
//   (SYNERISE_AUTH_URL, SYNERISE_AUTH_API_KEY): the pattern for a back end in any language.
// Either way the browser asks the shop's own route, POST /shop/token.
import { fileURLToPath } from 'node:url';

import express from 'express';
import session from 'express-session';
import { Issuer, PerMinute, isSameSite } from '@synerise-auth/server';
import { syneriseToken } from '@synerise-auth/server/express';

import { SidecarTokens } from './sidecar.js';
import { loginPage, shopPage } from './pages.js';

export const TOKEN_ROUTE = '/shop/token';
const DIST = fileURLToPath(new URL('./public/dist/', import.meta.url));

function tokenSource(settings) {
  if (settings.tokens === 'addon') return new Issuer({ key: settings.key, salt: settings.salt });
  if (settings.tokens === 'sidecar') return new SidecarTokens(settings.serveUrl, settings.apiKey);
  throw new Error(`SHOP_TOKENS is \`${settings.tokens}\`; choose addon or sidecar`);
}

/**
 * @param {object} settings
 * @param {import('./accounts.js').Accounts} settings.accounts
 * @param {string} settings.secret the session cookie's signing secret
 * @param {'addon' | 'sidecar'} settings.tokens
 * @param {string} settings.trackerScript Synerise's tracker (locally: the stand-in)
 * @param {string} [settings.trackerEvents] where the stand-in sends events
 */
export function createApp(settings) {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      name: 'shop_session',
      secret: settings.secret,
      resave: false,
      saveUninitialized: false,
      // A real shop keeps sessions in its database (connect-redis, connect-pg-simple...).
      cookie: { httpOnly: true, sameSite: 'lax', secure: settings.secureCookies ?? false },
    }),
  );
  app.use('/dist', express.static(DIST, { index: false }));

  // The token route: the signed-in customer is whoever the shop's own session says.
  app.post(
    TOKEN_ROUTE,
    syneriseToken({
      issuer: tokenSource(settings),
      customer: (req) => req.session.customer ?? null,
      limit: new PerMinute(30),
      onError: (error) => console.error('token route:', error),
    }),
  );

  app.get('/', (req, res) => {
    if (!req.session.customer) return res.redirect('/login');
    res.type('html').send(shopPage({ customer: req.session.customer, tokenRoute: TOKEN_ROUTE, ...settings }));
  });

  app.get('/login', (req, res) => res.type('html').send(loginPage({})));
  app.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res, next) => {
    try {
      const customer = await settings.accounts.check(req.body.email, req.body.password);
      if (!customer) return res.status(401).type('html').send(loginPage({ error: 'Wrong email or password.' }));
      req.session.regenerate((error) => {
        if (error) return next(error);
        req.session.customer = customer;
        res.redirect(303, '/');
      });
    } catch (error) {
      next(error);
    }
  });

  // Called by the page's logout(), which then clears the tracker's token in every tab.
  app.delete('/api/session', (req, res, next) => {
    if (!isSameSite((name) => req.get(name), [])) {
      return res.status(403).json({ error: 'this request came from another site', code: 'cross_site_request' });
    }
    req.session.destroy((error) => (error ? next(error) : res.status(204).end()));
  });

  return app;
}
