// Stands in for the shop's own sign-in (NextAuth's `auth()`, an iron-session lookup, ...): the
// customer is whoever the `test-customer` cookie names.
import { cookies } from 'next/headers';

export async function auth(): Promise<{ user: { email: string } } | null> {
  const email = (await cookies()).get('test-customer')?.value;
  return email ? { user: { email } } : null;
}
