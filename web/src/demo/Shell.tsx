import type { ReactNode } from 'react';

/** The frame around both pages: the name and the two links. */
export function Shell({ page, children }: { page: 'demo' | 'gate'; children: ReactNode }) {
  return (
    <>
      <header className="topbar">
        <div className="topbar__inner">
          <span className="brand">
            synerise-auth <span className="brand__sub">demo</span>
          </span>
          <nav aria-label="Pages">
            <a href="/" aria-current={page === 'demo' ? 'page' : undefined}>
              Sign in and send events
            </a>
            <a href="/gate" aria-current={page === 'gate' ? 'page' : undefined}>
              Event gate
            </a>
          </nav>
        </div>
      </header>
      <main className="page">{children}</main>
    </>
  );
}
