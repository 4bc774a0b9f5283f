import { AuthEnv, createUser, startAuthService } from '@fintech/auth';
import { dropSchema, scopesForRole } from '@fintech/kit';
import { serveParent } from '../lib/child';

/**
 * The auth service as its own process. `users` creates users and hands back, per user, an access token (what an
 * agent sends to the gateway) and an internal token (what the gateway would send on; used by the direct-gRPC
 * baseline).
 */
const config = AuthEnv.parse(process.env);
const auth = await startAuthService(config);

export interface BenchUser {
  id: string;
  accessToken: string;
  internalToken: string;
}

serveParent(
  { port: auth.port },
  {
    async users({ count }: { count: number }): Promise<BenchUser[]> {
      const users: BenchUser[] = [];
      for (let i = 0; i < count; i++) {
        const id = await createUser(auth.deps, {
          email: `bench-${i}-${config.DATABASE_SCHEMA}@example.com`,
          password: 'correct horse battery staple',
          fullName: `Bench User ${i}`,
        });
        const user = { id, role: 'customer', scopes: scopesForRole('customer') };
        users.push({
          id,
          accessToken: await auth.deps.tokens.accessToken(user),
          internalToken: await auth.deps.tokens.internalToken(user, 'bench'),
        });
      }
      return users;
    },
  },
  async () => {
    await auth.stop();
    if (process.env.BENCH_DROP_SCHEMA === '1') await dropSchema(config.DATABASE_URL, config.DATABASE_SCHEMA);
  },
);
