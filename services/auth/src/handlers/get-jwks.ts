import type { authV1 } from '@fintech/contracts';
import type { AuthDeps } from '../deps';

export function createGetJwks(deps: AuthDeps) {
  return async function getJwks(): Promise<authV1.GetJwksResponse> {
    return { jwks_json: JSON.stringify(await deps.keys.jwks()) };
  };
}
