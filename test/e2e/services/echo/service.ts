import { fileURLToPath } from 'node:url';
import { defineService, serviceEnv, type AuthenticatedContext } from '@fintech/kit';

/**
 * A service that exists only in the tests, declared the way every service is: its proto (../../proto/fintech/echo),
 * its handlers and its environment. Everything else (migrations of the kit's tables, pools, NATS, the relay, token
 * verification, the gRPC server with health and reflection, start and stop) comes from the kit.
 */
export const echoService = defineService({
  name: 'echo',
  env: serviceEnv({ schema: 'echo' }, {}),
  protoRoots: [fileURLToPath(new URL('../../proto', import.meta.url))],
  deps: ({ logger }) => ({ logger }),
  grpc: {
    service: {
      serviceName: 'fintech.echo.v1.EchoService',
      methods: {
        echo: { name: 'Echo', path: '/fintech.echo.v1.EchoService/Echo' },
        getGreeting: { name: 'GetGreeting', path: '/fintech.echo.v1.EchoService/GetGreeting' },
      },
    },
    handlers: () => ({
      echo: async (request: { message: string; times: number }, context: AuthenticatedContext) => ({
        text: Array.from({ length: request.times || 1 }, () => request.message).join(' '),
        caller: context.caller.userId,
      }),
      getGreeting: async (request: { user_id: string; style: string }, context: AuthenticatedContext) => ({
        text: request.style === 'loud' ? 'HELLO!' : 'hello',
        caller: `${context.caller.userId}:${request.user_id}`,
      }),
    }),
  },
});
