import type { Metadata } from '@grpc/grpc-js';
import { PermissionDeniedError, ValidationError } from '../errors';
import { bearerToken } from '../grpc/metadata';
import { StepUpRequiredError } from './errors';

/** The part of the auth service's client that checks a second factor (`fintech.auth.v1.AuthService/VerifyStepUp`). */
export interface StepUpVerifier {
  verifyStepUp(
    request: { user_id: string; code: string },
    options: { token: string },
  ): Promise<{ mfa_enrolled: boolean; verified: boolean }>;
}

const MFA_CODE = /^[0-9]{6}$/;

/**
 * Step-up MFA for a sensitive action (ARCHITECTURE.md, "Safety for agents"): the auth service checks `code` with the
 * caller's own internal token, taken from the call's `authorization` metadata, so a service never sees a TOTP secret
 * and cannot check a code for anyone but the caller. A user with MFA enrolled must give a current, unused code
 * (MFA_REQUIRED without one, MFA_CODE_INVALID with a wrong one); a user without MFA has no second factor to check.
 *
 * @param action what needs the code, for the message ("adding a payment method")
 * @returns whether a code was verified (false for a user without MFA), for the action's event
 */
export async function requireStepUp(
  auth: StepUpVerifier,
  input: { userId: string; code: string; metadata: Metadata; action: string },
): Promise<{ verified: boolean }> {
  if (input.code !== '' && !MFA_CODE.test(input.code))
    throw new ValidationError('mfa_code must be 6 digits', 'mfa_code');
  const token = bearerToken(input.metadata);
  if (!token) throw new PermissionDeniedError('the caller token is needed for the step-up check');
  const result = await auth.verifyStepUp({ user_id: input.userId, code: input.code }, { token });
  if (result.mfa_enrolled && !result.verified) throw new StepUpRequiredError(input.code !== '', input.action);
  return { verified: result.verified };
}
