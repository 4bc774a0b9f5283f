import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authV1, loadReflectionRoot, methodAccess, servicesOf } from '@fintech/contracts';
import {
  RemoteCallError,
  ROLE_SCOPES,
  createServiceClient,
  scopesForRole,
  type CallOptions,
  type ClientHandle,
} from '@fintech/kit';
import { startTestFleet, type TestFleet } from './fleet';

// Every case below is generated from the contract's descriptors: each service of proto/fintech/<domain>/v1 and each
// of its RPCs, with the scopes, public access and field rules its options declare. A new RPC is covered here without
// a line of test code, and the calls go straight to the service over gRPC (no gateway in front), as an internal
// system would make them.

type Invoke = (request: object, options?: CallOptions) => Promise<unknown>;
type Client = Record<string, Invoke> & ClientHandle;

const root = loadReflectionRoot();
const services = servicesOf(root).filter((s) => /^fintech\.[a-z_]+\.v1\./.test(s.fullName.replace(/^\./, '')));
const rpcs = services.flatMap((service) =>
  service.methodsArray.map((method) => {
    method.resolve();
    const serviceName = service.fullName.replace(/^\./, '');
    return {
      id: `${serviceName.split('.')[1]}.${method.name}`,
      domain: serviceName.split('.')[1]!,
      serviceName,
      method,
      access: methodAccess(method),
      requestType: method.resolvedRequestType!,
    };
  }),
);

let fleet: TestFleet;
const clients = new Map<string, Client>();
const users = new Map<string, { id: string; accessToken: string }>();
let authClient: authV1.AuthServiceClient<CallOptions> & ClientHandle;

function clientFor(rpc: (typeof rpcs)[number]): Client {
  let client = clients.get(rpc.serviceName);
  if (client) return client;
  const port = rpc.domain === 'auth' ? fleet.auth.port : rpc.domain === 'payments' ? fleet.payments?.port : undefined;
  if (!port) throw new Error(`the test fleet does not run the ${rpc.domain} service`);
  const service = root.lookupService(rpc.serviceName);
  const methods = Object.fromEntries(
    service.methodsArray.map((m) => [m.name, { name: m.name, path: `/${rpc.serviceName}/${m.name}` }]),
  );
  client = createServiceClient<Record<string, Invoke>>(
    { serviceName: rpc.serviceName, methods },
    { address: `127.0.0.1:${port}` },
  );
  clients.set(rpc.serviceName, client);
  return client;
}

/** A user of the first role that grants every scope in `needed` (a customer when nothing is needed). */
async function userWith(needed: string[]): Promise<{ id: string; role: string; accessToken: string }> {
  const role = Object.keys(ROLE_SCOPES).find((r) => needed.every((s) => ROLE_SCOPES[r]!.includes(s)));
  if (!role) throw new Error(`no role grants ${needed.join(' ')}`);
  let user = users.get(role);
  if (!user) {
    const created = await fleet.createUser({ role });
    const accessToken = await fleet.auth.deps.tokens.accessToken({
      id: created.id,
      role,
      scopes: scopesForRole(role),
    });
    user = { id: created.id, accessToken };
    users.set(role, user);
  }
  return { ...user, role };
}

/** An internal token from the auth service's own exchange, narrowed to `scopes` (RFC 8693 `scope`). */
async function internalToken(accessToken: string, scopes: string[]): Promise<string> {
  const exchanged = await authClient.exchangeToken({
    subject_token: accessToken,
    subject_token_type: 'access_token',
    scopes,
  });
  expect(new Set(exchanged.scopes)).toEqual(new Set(scopes));
  return exchanged.internal_token;
}

async function refusal(call: Promise<unknown>): Promise<RemoteCallError | null> {
  try {
    await call;
    return null;
  } catch (error) {
    if (error instanceof RemoteCallError) return error;
    throw error;
  }
}

function ownRequest(rpc: (typeof rpcs)[number], userId: string): Record<string, unknown> {
  return rpc.requestType.fields.user_id ? { user_id: userId } : {};
}

/**
 * The first plain string field of a request other than user_id (where a NUL byte is put; a user_id that is not the
 * caller's is refused for ownership first). Map fields have a keyType.
 */
function firstStringField(type: (typeof rpcs)[number]['requestType']) {
  return type.fieldsArray.find((f) => f.type === 'string' && f.name !== 'user_id' && !f.repeated && !('keyType' in f));
}

beforeAll(async () => {
  fleet = await startTestFleet({ payments: true });
  authClient = createServiceClient<authV1.AuthServiceClient<CallOptions>>(authV1.AuthServiceDefinition, {
    address: `127.0.0.1:${fleet.auth.port}`,
  });
});

afterAll(async () => {
  for (const client of clients.values()) client.close();
  authClient?.close();
  await fleet?.stop();
});

describe('the contract, enforced at each service over direct gRPC', () => {
  it('covers every service of the descriptors, including auth and payments', () => {
    expect(services.map((s) => s.fullName.replace(/^\./, ''))).toEqual(
      expect.arrayContaining(['fintech.auth.v1.AuthService', 'fintech.payments.v1.PaymentsService']),
    );
    for (const rpc of rpcs) expect(() => clientFor(rpc), rpc.id).not.toThrow();
  });

  const scoped = rpcs.filter((rpc) => rpc.access.scopes.length > 0 && !rpc.access.public);
  it('declares scopes on the profile and permissions reads', () => {
    expect(scoped.map((r) => r.id)).toEqual(expect.arrayContaining(['auth.GetUserProfile', 'auth.GetUserPermissions']));
  });

  describe.each(scoped.map((rpc) => [rpc.id, rpc] as const))('%s', (_id, rpc) => {
    it.each(rpc.access.scopes)('refuses an internal token without %s with PERMISSION_DENIED', async (scope) => {
      const user = await userWith(rpc.access.scopes);
      const lacking = scopesForRole(user.role).filter((s) => s !== scope);
      const token = await internalToken(user.accessToken, lacking);
      const error = await refusal(clientFor(rpc)[rpc.method.name]!(ownRequest(rpc, user.id), { token }));
      expect(error?.code).toBe(status.PERMISSION_DENIED);
      expect(error?.message).toContain(scope);

      // The same call with the scope is not refused for it: the refusal above is the scope's, nothing else's.
      const full = await internalToken(user.accessToken, scopesForRole(user.role));
      const allowed = await refusal(clientFor(rpc)[rpc.method.name]!(ownRequest(rpc, user.id), { token: full }));
      expect(allowed?.code).not.toBe(status.PERMISSION_DENIED);
      expect(allowed?.code).not.toBe(status.UNAUTHENTICATED);
    });
  });

  const tokenRequired = rpcs.filter((rpc) => !rpc.access.public);
  it.each(tokenRequired.map((rpc) => [rpc.id, rpc] as const))(
    '%s refuses a call without an internal token',
    async (_id, rpc) => {
      const error = await refusal(clientFor(rpc)[rpc.method.name]!(ownRequest(rpc, 'me')));
      expect(error?.code).toBe(status.UNAUTHENTICATED);
    },
  );

  const withUserId = tokenRequired.filter((rpc) => rpc.requestType.fields.user_id?.type === 'string');
  it.each(withUserId.map((rpc) => [rpc.id, rpc] as const))(
    "%s refuses another user's id to a customer holding every scope",
    async (_id, rpc) => {
      const caller = await userWith([]);
      const other = await fleet.createUser();
      const token = await internalToken(caller.accessToken, scopesForRole(caller.role));
      const error = await refusal(clientFor(rpc)[rpc.method.name]!({ user_id: other.id }, { token }));
      expect(error?.code).toBe(status.PERMISSION_DENIED);
      expect(error?.message).toMatch(/another user/);
    },
  );

  const withString = rpcs.filter((rpc) => firstStringField(rpc.requestType));
  it.each(withString.map((rpc) => [rpc.id, rpc] as const))(
    '%s refuses a NUL byte with INVALID_ARGUMENT / VALIDATION_FAILED naming the field',
    async (_id, rpc) => {
      const field = firstStringField(rpc.requestType)!;
      const user = await userWith(rpc.access.scopes);
      const token = rpc.access.public ? undefined : await internalToken(user.accessToken, scopesForRole(user.role));
      const request = { ...ownRequest(rpc, user.id), [field.name]: 'a\u0000b' };
      const error = await refusal(clientFor(rpc)[rpc.method.name]!(request, token ? { token } : {}));
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.reason).toBe('VALIDATION_FAILED');
      expect(error?.field).toBe(field.name);
    },
  );

  it('checks the declared field rules of a request before the handler runs', async () => {
    const user = await userWith(['payments:write']);
    const token = await internalToken(user.accessToken, scopesForRole(user.role));
    const payments = clientFor(rpcs.find((r) => r.id === 'payments.InitiatePayment')!);
    const error = await refusal(
      payments.InitiatePayment!(
        { source_id: 'pm_x', destination_id: 'merchant_demo_coffee', amount: '1e3', currency: 'USD' },
        { token },
      ),
    );
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'VALIDATION_FAILED', field: 'amount' });
    const missing = await refusal(payments.ProcessRefund!({}, { token }));
    expect(missing).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'payment_id' });
  });
});
