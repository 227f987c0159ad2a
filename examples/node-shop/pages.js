// The shop's two pages. The shop page loads Synerise's tracker and the React bundle, and tells
// it who is signed in and where the token route is.

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

export function loginPage({ error }) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Node shop: sign in</title></head>
<body>
  <main>
    <h1>Sign in to the shop</h1>
    ${error ? `<p role="alert">${escape(error)}</p>` : ''}
    <form method="post" action="/login">
      <label>Email <input name="email" type="email" autocomplete="username" required></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>`;
}

export function shopPage({ customer, tokenRoute, trackerScript, trackerEvents }) {
  const events = trackerEvents ? ` data-gate-url="${escape(trackerEvents)}"` : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Node shop</title>
  <script async src="${escape(trackerScript)}"${events}></script>
</head>
<body>
  <div id="root" data-customer="${escape(customer)}" data-token-route="${escape(tokenRoute)}"></div>
  <script type="module" src="/dist/shop.js"></script>
</body>
</html>`;
}
