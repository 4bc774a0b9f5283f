import type { PackageDefinition } from '@fintech/contracts';
import { createServiceClient, type CallOptions, type ClientHandle } from '@fintech/kit';
import type { RpcTarget } from '../catalog/catalog';

type Invoke = (request: object, options?: CallOptions) => Promise<unknown>;

export interface Router {
  call(target: RpcTarget, request: object, options: CallOptions): Promise<unknown>;
  close(): void;
}

/**
 * Sends catalog calls to their services over gRPC: one reused channel per service, a deadline on every call.
 * Addresses are per domain (`auth` → AUTH_GRPC_ADDRESS …).
 */
export function createRouter(options: {
  addresses: Record<string, string>;
  packageDefinition: PackageDefinition;
  deadlineMs: number;
  targets: RpcTarget[];
}): Router {
  const clients = new Map<string, Record<string, Invoke> & ClientHandle>();
  const methodsByService = new Map<string, Set<string>>();
  for (const target of options.targets) {
    const set = methodsByService.get(target.service) ?? new Set<string>();
    set.add(target.method);
    methodsByService.set(target.service, set);
  }

  const clientFor = (target: RpcTarget) => {
    let client = clients.get(target.service);
    if (client) return client;
    const address = options.addresses[target.domain];
    if (!address) throw new Error(`no address configured for the ${target.domain} service`);
    const methods: Record<string, { name: string; path: string }> = {};
    for (const method of methodsByService.get(target.service) ?? []) {
      methods[method] = { name: method, path: `/${target.service}/${method}` };
    }
    client = createServiceClient<Record<string, Invoke>>(
      { serviceName: target.service, methods },
      { address, deadlineMs: options.deadlineMs, packageDefinition: options.packageDefinition },
    );
    clients.set(target.service, client);
    return client;
  };

  return {
    call(target, request, callOptions) {
      const invoke = clientFor(target)[target.method];
      if (!invoke) throw new Error(`${target.service}.${target.method} is not routable`);
      return invoke(request, callOptions);
    },
    close() {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
