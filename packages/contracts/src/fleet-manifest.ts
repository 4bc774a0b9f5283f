/**
 * The fleet manifest: the one declaration of the processes that make up the fleet. `pnpm start` (scripts/fleet.ts)
 * starts them from it in dependency order, and a test checks docker-compose.yml and the Kubernetes manifests against
 * it, so a process missing from any of them fails CI (decision 022).
 *
 * It lives in @fintech/contracts because it is contract-level data (names, proto packages, ports, wiring) that
 * scripts, tests and packages/testing all import, and contracts already depends on nothing of ours.
 */

/** An HTTP endpoint a service serves beside gRPC, reached from outside the fleet (e.g. provider webhooks). */
export interface FleetIngress {
  /** Short name; the local port override is `<SERVICE>_<NAME>_PORT` (e.g. PAYMENTS_WEBHOOK_PORT). */
  name: string;
  /** Container and default local port. */
  port: number;
  /** The service's own variables for the interface and port it listens on. */
  hostEnv: string;
  portEnv: string;
  /** Path callers post to. */
  path: string;
  /** The provider that calls it, when it is a provider's webhook. */
  provider?: FleetProvider;
}

/** Providers a service reaches through its adapters; `pnpm start` points them at packages/sandbox. */
export type FleetProvider = 'stripe' | 'plaid' | 'alpaca';

export interface FleetService {
  kind: 'service';
  /** Domain name: the gRPC host name in compose and Kubernetes, the schema, the key in SERVICE_ADDRESSES. */
  name: string;
  /** The proto package the service implements. */
  protoPackage: string;
  /** Entry point, relative to the repository root (the container's command). */
  main: string;
  /** gRPC port (container port and default local port; locally overridable with `<NAME>_GRPC_PORT`). */
  grpcPort: number;
  /** Postgres schema the service owns (DATABASE_SCHEMA). */
  schema: string;
  /** Processes that must be serving before this one starts. */
  dependsOn: readonly string[];
  /** Variables that carry secrets: a Secret named after the service in Kubernetes, generated locally. */
  secrets: readonly string[];
  /** Variables every deployment must set besides the secrets (wiring: addresses, listen interfaces). */
  env: readonly string[];
  providers: readonly FleetProvider[];
  ingress: readonly FleetIngress[];
}

export interface FleetGateway {
  kind: 'gateway';
  name: 'gateway';
  main: string;
  /** The MCP HTTP port (GATEWAY_PORT). */
  httpPort: number;
  dependsOn: readonly string[];
  secrets: readonly string[];
  env: readonly string[];
}

export type FleetProcess = FleetService | FleetGateway;

/** Variables every service is given by whoever runs it (fleet script, compose, Kubernetes). */
const SERVICE_WIRING = ['GRPC_LISTEN', 'NATS_URL', 'AUTH_GRPC_ADDRESS'] as const;

const services: readonly FleetService[] = [
  {
    kind: 'service',
    name: 'auth',
    protoPackage: 'fintech.auth.v1',
    main: 'services/auth/src/main.ts',
    grpcPort: 50051,
    schema: 'auth',
    dependsOn: [],
    secrets: ['DATABASE_URL', 'FIELD_ENCRYPTION_KEYS'],
    env: [...SERVICE_WIRING],
    providers: [],
    ingress: [],
  },
  {
    kind: 'service',
    name: 'payments',
    protoPackage: 'fintech.payments.v1',
    main: 'services/payments/src/main.ts',
    grpcPort: 50053,
    schema: 'payments',
    dependsOn: ['auth'],
    secrets: ['DATABASE_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
    env: [...SERVICE_WIRING, 'STRIPE_API_BASE', 'WEBHOOK_HOST', 'WEBHOOK_PORT'],
    providers: ['stripe'],
    ingress: [
      {
        name: 'webhook',
        port: 8788,
        hostEnv: 'WEBHOOK_HOST',
        portEnv: 'WEBHOOK_PORT',
        path: '/webhooks/stripe',
        provider: 'stripe',
      },
    ],
  },
];

const gateway: FleetGateway = {
  kind: 'gateway',
  name: 'gateway',
  main: 'gateway/src/main.ts',
  httpPort: 8787,
  dependsOn: services.map((service) => service.name),
  secrets: [],
  env: ['GATEWAY_HOST', 'GATEWAY_PORT', 'AUTH_GRPC_ADDRESS', 'SERVICE_ADDRESSES', 'NATS_URL'],
};

/** Every process of the fleet: the services, then the gateway in front of them. */
export const fleetManifest: readonly FleetProcess[] = [...services, gateway];

/** The domain services of the fleet (everything but the gateway). */
export function fleetServices(manifest: readonly FleetProcess[] = fleetManifest): FleetService[] {
  return manifest.filter((entry): entry is FleetService => entry.kind === 'service');
}

/**
 * The processes in an order where each one comes after everything it depends on (Kahn's algorithm, ties kept in
 * manifest order). Throws on an unknown dependency or a cycle, so a broken manifest fails the first test that
 * reads it.
 */
export function fleetStartOrder(manifest: readonly FleetProcess[] = fleetManifest): FleetProcess[] {
  const byName = new Map(manifest.map((entry) => [entry.name, entry]));
  if (byName.size !== manifest.length) throw new Error('fleet manifest: duplicate process name');
  for (const entry of manifest) {
    for (const dependency of entry.dependsOn) {
      if (!byName.has(dependency)) throw new Error(`fleet manifest: ${entry.name} depends on unknown "${dependency}"`);
    }
  }
  const ordered: FleetProcess[] = [];
  const placed = new Set<string>();
  while (ordered.length < manifest.length) {
    const next = manifest.find(
      (entry) => !placed.has(entry.name) && entry.dependsOn.every((dependency) => placed.has(dependency)),
    );
    if (!next) {
      const left = manifest.filter((entry) => !placed.has(entry.name)).map((entry) => entry.name);
      throw new Error(`fleet manifest: dependency cycle among ${left.join(', ')}`);
    }
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}

/** The environment variable that overrides a service's gRPC port for `pnpm start`, e.g. AUTH_GRPC_PORT. */
export function grpcPortEnv(service: Pick<FleetService, 'name'>): string {
  return `${service.name.toUpperCase()}_GRPC_PORT`;
}

/** The environment variable that overrides an ingress port for `pnpm start`, e.g. PAYMENTS_WEBHOOK_PORT. */
export function ingressPortEnv(service: Pick<FleetService, 'name'>, ingress: Pick<FleetIngress, 'name'>): string {
  return `${service.name.toUpperCase()}_${ingress.name.toUpperCase()}_PORT`;
}

/** Ports `pnpm start` opens besides the manifest's processes: the embedded Postgres, NATS and the provider sandbox. */
export const INFRASTRUCTURE_PORT_ENVS: readonly string[] = [
  'FLEET_POSTGRES_PORT',
  'FLEET_NATS_PORT',
  'SANDBOX_STRIPE_PORT',
  'SANDBOX_PLAID_PORT',
  'SANDBOX_ALPACA_PORT',
  'SANDBOX_ADMIN_PORT',
];

/**
 * Every variable that sets a port `pnpm start` listens on, derived from the manifest: a fleet started on free ports
 * (tests, `pnpm fleet:figures`) sets them all, so a new service's ports never fall back to a default that is taken.
 */
export function localPortEnvs(manifest: readonly FleetProcess[] = fleetManifest): string[] {
  const names: string[] = [];
  for (const entry of manifest) {
    if (entry.kind === 'gateway') names.push('GATEWAY_PORT');
    else names.push(grpcPortEnv(entry), ...entry.ingress.map((ingress) => ingressPortEnv(entry, ingress)));
  }
  return [...names, ...INFRASTRUCTURE_PORT_ENVS];
}
