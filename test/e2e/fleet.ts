import type { AuthService } from '@fintech/auth';
import type { Gateway } from '@fintech/gateway';
import type { PaymentsDeps } from '@fintech/payments';
import type { RunningService, ServiceConfig } from '@fintech/kit';
import type { Sandbox } from '@fintech/sandbox';
import { startTestFleet as startFleet, type FleetService } from '@fintech/testing';

export interface TestFleet {
  auth: AuthService;
  gateway: Gateway;
  /** The MCP endpoint (Streamable HTTP). */
  url: string;
  /** The gateway's origin, e.g. http://127.0.0.1:40123. */
  origin: string;
  createUser(input?: { role?: string; fullName?: string }): Promise<{ id: string; email: string; password: string }>;
  /** The payments service, when the fleet was started with `payments`. */
  payments?: RunningService<ServiceConfig, PaymentsDeps>;
  /** The provider sandbox the payments service talks to, when started with `payments`. */
  sandbox?: Sandbox;
  stop(): Promise<void>;
}

/** The Stripe test key the fleet's payments service and the tests' own provider reads share. */
export const FLEET_STRIPE_KEY = 'sk_test_fleet_payments';

export interface FleetOptions {
  extraProtoRoots?: string[];
  gatewayEnv?: Record<string, string>;
  /** Also start the provider sandbox and the payments service (extra environment for it, if any). */
  payments?: boolean | { env?: Record<string, string> };
  /** More services: a folder name under services/ or a declared (test) service. */
  services?: FleetService[];
}

/** The whole-fleet fixture of packages/testing, with the gateway, as the end-to-end tests use it. */
export async function startTestFleet(options: FleetOptions = {}): Promise<TestFleet> {
  const services = [...(options.payments ? ['payments'] : []), ...(options.services ?? [])];
  const fleet = await startFleet({
    services,
    gatewayEnv: options.gatewayEnv,
    extraProtoRoots: options.extraProtoRoots,
    env: {
      payments: {
        STRIPE_SECRET_KEY: FLEET_STRIPE_KEY,
        ...(typeof options.payments === 'object' ? options.payments.env : {}),
      },
    },
  });
  return {
    auth: fleet.auth,
    gateway: fleet.gateway!,
    url: fleet.url,
    origin: fleet.origin,
    createUser: (input) => fleet.createUser(input),
    payments: options.payments ? fleet.service<PaymentsDeps>('payments') : undefined,
    sandbox: fleet.sandbox,
    stop: () => fleet.stop(),
  };
}
