// Testing Library unmounts after each test only when test globals are on; they are off here, so
// do it explicitly, or one test's DOM would leak into the next.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  // The tabs' lease and handover marks live here; each test starts without them.
  if (typeof localStorage !== 'undefined') localStorage.clear();
});
