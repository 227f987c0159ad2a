// Starts the shop: `node server.js`, configured by the environment (see README.md).
// `node server.js add-customer` adds SHOP_CUSTOMER_EMAIL with SHOP_CUSTOMER_PASSWORD.
import { Accounts } from './accounts.js';
import { createApp } from './app.js';

function setting(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (!value) {
    console.error(`node-shop: set ${name}`);
    process.exit(2);
  }
  return value;
}

const accounts = new Accounts(setting('SHOP_ACCOUNTS', 'accounts.json'));

if (process.argv[2] === 'add-customer') {
  await accounts.add(setting('SHOP_CUSTOMER_EMAIL'), setting('SHOP_CUSTOMER_PASSWORD'));
} else {
  const tokens = setting('SHOP_TOKENS', 'addon');
  const app = createApp({
    accounts,
    secret: setting('SHOP_SECRET_KEY'),
    tokens,
    key: tokens === 'addon' ? setting('SYNERISE_AUTH_KEY') : undefined,
    salt: tokens === 'addon' ? setting('SYNERISE_AUTH_UUID_SALT') : undefined,
    serveUrl: tokens === 'sidecar' ? setting('SYNERISE_AUTH_URL') : undefined,
    apiKey: tokens === 'sidecar' ? setting('SYNERISE_AUTH_API_KEY') : undefined,
    trackerScript: setting('SHOP_TRACKER_SCRIPT'),
    trackerEvents: process.env.SHOP_TRACKER_EVENTS,
  });
  const server = app.listen(Number(setting('SHOP_PORT', '3000')), process.env.SHOP_HOST ?? '127.0.0.1', () => {
    const { address, port } = server.address();
    console.log(`node-shop listening on http://${address}:${port}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
