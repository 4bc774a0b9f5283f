import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  fleetManifest,
  fleetServices,
  fleetStartOrder,
  type FleetProcess,
  type FleetService,
} from '@fintech/contracts';
import { parse, parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The fleet manifest is the one list of the fleet's processes: docker-compose.yml and the Kubernetes manifests (as
 * `kubectl kustomize` renders them) must carry every process it declares, with its command, ports, variables and
 * dependencies. A service added to the manifest and forgotten in either place fails here.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: string[] | Record<string, unknown>;
  build?: unknown;
}

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

interface Container {
  args: string[];
  ports: { name: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string } }[];
  readinessProbe?: { grpc?: { port: number }; httpGet?: unknown };
}

let compose: Record<string, ComposeService>;
let rendered: K8sObject[];

beforeAll(async () => {
  compose = (
    parse(await readFile(`${ROOT}/docker-compose.yml`, 'utf8'), { merge: true }) as {
      services: Record<string, ComposeService>;
    }
  ).services;
  // kubectl is on the developer machines; .ci/run installs Debian's kubernetes-client where it is missing.
  const { stdout } = await run('kubectl', ['kustomize', 'deploy/kubernetes/base'], { cwd: ROOT });
  rendered = parseAllDocuments(stdout).map((document) => document.toJS() as K8sObject);
});

const processes = fleetManifest.map((entry) => [entry.name, entry] as const);
const services = fleetServices().map((entry) => [entry.name, entry] as const);

function ownPorts(entry: FleetProcess): number[] {
  return entry.kind === 'gateway' ? [entry.httpPort] : [entry.grpcPort, ...entry.ingress.map((i) => i.port)];
}

function dependencies(service: ComposeService): string[] {
  const value = service.depends_on ?? [];
  return Array.isArray(value) ? value : Object.keys(value);
}

describe('the manifest', () => {
  it('orders every process after what it depends on, the gateway last', () => {
    const order = fleetStartOrder().map((entry) => entry.name);
    expect(new Set(order)).toEqual(new Set(fleetManifest.map((entry) => entry.name)));
    for (const entry of fleetManifest) {
      for (const dependency of entry.dependsOn) {
        expect(order.indexOf(dependency), `${entry.name} after ${dependency}`).toBeLessThan(order.indexOf(entry.name));
      }
    }
    expect(order.at(-1)).toBe('gateway');
  });

  it('refuses a cycle and an unknown dependency', () => {
    const [auth, payments] = fleetServices() as [FleetService, FleetService];
    expect(() => fleetStartOrder([{ ...auth, dependsOn: ['payments'] }, payments])).toThrow(
      /cycle among auth, payments/,
    );
    expect(() => fleetStartOrder([{ ...auth, dependsOn: ['ledger'] }])).toThrow(/unknown "ledger"/);
  });

  it('gives each process its own ports and each service a proto package and a schema of its own', async () => {
    const ports = fleetManifest.flatMap(ownPorts);
    expect(new Set(ports).size).toBe(ports.length);
    expect(new Set(fleetServices().map((s) => s.schema)).size).toBe(fleetServices().length);
    for (const service of fleetServices()) {
      const domain = service.protoPackage.split('.')[1]!;
      const proto = await readFile(`${ROOT}/proto/fintech/${domain}/v1/${domain}.proto`, 'utf8');
      expect(proto).toContain(`package ${service.protoPackage};`);
      await expect(readFile(`${ROOT}/${service.main}`, 'utf8')).resolves.toBeTruthy();
    }
  });
});

describe('docker-compose.yml', () => {
  it.each(processes)('runs %s with its command, variables, ports and dependencies', (name, entry) => {
    const service = compose[name];
    expect(service, `compose service ${name}`).toBeDefined();
    expect(service!.command).toEqual([entry.main]);
    const environment = service!.environment ?? {};
    for (const variable of [...entry.env, ...entry.secrets]) {
      expect(environment[variable], `${name}: ${variable}`).toBeTruthy();
    }
    expect(dependencies(service!)).toEqual(expect.arrayContaining([...entry.dependsOn]));
    if (entry.kind === 'gateway') {
      expect(environment.GATEWAY_PORT).toBe(String(entry.httpPort));
      expect(service!.ports).toContain(`127.0.0.1:${entry.httpPort}:${entry.httpPort}`);
      for (const other of fleetServices().filter((s) => s.name !== 'auth')) {
        expect(environment.SERVICE_ADDRESSES!.split(',')).toContain(`${other.name}=${other.name}:${other.grpcPort}`);
      }
      return;
    }
    expect(environment.GRPC_LISTEN).toBe(`0.0.0.0:${entry.grpcPort}`);
    expect(environment.AUTH_GRPC_ADDRESS).toBe(`auth:${fleetServices().find((s) => s.name === 'auth')!.grpcPort}`);
    for (const ingress of entry.ingress) {
      expect(environment[ingress.portEnv]).toBe(String(ingress.port));
      expect(environment[ingress.hostEnv]).toBe('0.0.0.0');
      expect(service!.ports).toContain(`127.0.0.1:${ingress.port}:${ingress.port}`);
    }
    if (entry.providers.length > 0) expect(dependencies(service!)).toContain('sandbox');
  });

  it('runs no process of ours that the manifest does not declare', () => {
    const mains = new Set([...fleetManifest.map((entry) => entry.main), 'packages/sandbox/src/cli.ts']);
    for (const [name, service] of Object.entries(compose)) {
      if (!service.build) continue;
      expect(mains.has(service.command?.[0] ?? ''), `compose service ${name} runs ${service.command?.[0]}`).toBe(true);
    }
  });
});

describe('deploy/kubernetes (kubectl kustomize)', () => {
  const find = (kind: string, name: string) =>
    rendered.find((object) => object.kind === kind && object.metadata.name === name);

  it.each(processes)('has a Deployment, Service, autoscaler and disruption budget for %s', (name, entry) => {
    const deployment = find('Deployment', name);
    expect(deployment, `Deployment ${name}`).toBeDefined();
    const template = deployment!.spec.template as { spec: { containers: Container[] } };
    const container = template.spec.containers[0]!;
    expect(container.args).toEqual([entry.main]);
    expect(container.ports.map((p) => p.containerPort).sort()).toEqual(ownPorts(entry).sort());
    const envNames = (container.env ?? []).map((variable) => variable.name);
    expect(envNames).toEqual(expect.arrayContaining([...entry.env]));
    if (entry.secrets.length > 0) {
      // Secrets come from a Secret named after the process, never from values in the repository.
      expect(container.envFrom?.map((from) => from.secretRef?.name)).toContain(name);
      for (const secret of entry.secrets) expect(envNames, `${name}: ${secret} inline`).not.toContain(secret);
    }
    if (entry.kind === 'service') expect(container.readinessProbe?.grpc?.port).toBe(entry.grpcPort);

    const service = find('Service', name);
    expect(service, `Service ${name}`).toBeDefined();
    expect(service!.spec.selector).toEqual({ app: name });
    const servicePorts = (service!.spec.ports as { port: number; targetPort: string | number }[]).map((p) => p.port);
    if (entry.kind === 'service') expect(servicePorts.sort()).toEqual(ownPorts(entry).sort());

    const autoscaler = find('HorizontalPodAutoscaler', name);
    expect(autoscaler, `HorizontalPodAutoscaler ${name}`).toBeDefined();
    expect(autoscaler!.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name });
    expect(autoscaler!.spec.minReplicas).toBeGreaterThanOrEqual(2);

    const budget = find('PodDisruptionBudget', name);
    expect(budget, `PodDisruptionBudget ${name}`).toBeDefined();
    expect(budget!.spec.selector).toEqual({ matchLabels: { app: name } });
  });

  it.each(services.filter(([, s]) => s.ingress.length > 0))('routes the HTTP ingress of %s', (name, entry) => {
    const rules = rendered
      .filter((object) => object.kind === 'Ingress')
      .flatMap(
        (object) =>
          object.spec.rules as {
            http: { paths: { path: string; backend: { service: { name: string; port: { name?: string } } } }[] };
          }[],
      )
      .flatMap((rule) => rule.http.paths);
    for (const ingress of entry.ingress) {
      expect(rules).toContainEqual(
        expect.objectContaining({
          path: ingress.path,
          backend: { service: { name, port: { name: ingress.name } } },
        }),
      );
    }
  });

  it('points the gateway at every service and runs no Deployment the manifest does not declare', () => {
    const gateway = find('Deployment', 'gateway')!;
    const container = (gateway.spec.template as { spec: { containers: Container[] } }).spec.containers[0]!;
    const addresses = container.env?.find((variable) => variable.name === 'SERVICE_ADDRESSES')?.value ?? '';
    for (const service of fleetServices().filter((s) => s.name !== 'auth')) {
      expect(addresses.split(',')).toContain(`${service.name}=${service.name}.fintech:${service.grpcPort}`);
    }
    const declared = new Set(fleetManifest.map((entry) => entry.name));
    for (const deployment of rendered.filter((object) => object.kind === 'Deployment')) {
      expect(declared.has(deployment.metadata.name), `Deployment ${deployment.metadata.name}`).toBe(true);
    }
  });
});
