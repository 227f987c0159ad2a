import { describe, expect, it } from 'vitest';

import { jsonResponse, mockFetch } from '../../../test/helpers';
import { getSession, signOut } from './session';

describe('the session calls', () => {
  it('reads who is signed in, or nobody on 401', async () => {
    mockFetch({ 'GET /api/session': () => jsonResponse(200, { email: 'demo@example.com' }) });
    expect(await getSession()).toBe('demo@example.com');

    const { requests } = mockFetch({ 'GET /api/session': () => jsonResponse(401, { error: 'Not signed in.', code: 'not_signed_in' }) });
    expect(await getSession()).toBeNull();
    expect(requests[0]?.credentials).toBe('same-origin');
  });

  it("throws the server's sentence on any other answer", async () => {
    mockFetch({ 'GET /api/session': () => jsonResponse(500, { error: 'Something went wrong on our side.', code: 'internal_error' }) });
    await expect(getSession()).rejects.toThrow('Something went wrong on our side.');
  });

  it('counts signing out when nobody was signed in as done', async () => {
    mockFetch({ 'DELETE /api/session': () => jsonResponse(401, { error: 'Not signed in.', code: 'not_signed_in' }) });
    expect(await signOut()).toBeNull();
    mockFetch({ 'DELETE /api/session': () => jsonResponse(403, { error: 'Cross-site request refused.', code: 'cross_site' }) });
    expect(await signOut()).toBe('Cross-site request refused.');
  });
});
