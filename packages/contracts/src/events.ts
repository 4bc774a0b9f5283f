import { z } from 'zod';

/**
 * Subjects of the fleet's domain events: `fintech.<domain>.<entity>.<past-tense-verb>`, one JetStream stream per
 * domain. Payload schemas below are what consumers may rely on; personal data never travels in events.
 */
export const subjects = {
  auth: {
    userSignedIn: 'fintech.auth.user.signed_in',
    userSignInFailed: 'fintech.auth.user.sign_in_failed',
    userProfileUpdated: 'fintech.auth.user.profile_updated',
  },
} as const;

/** The stream of each domain and the subjects it holds. */
export const streams = {
  auth: { name: 'FINTECH_AUTH', subjects: ['fintech.auth.>'] },
} as const;

/** Where a call came from, as far as the gateway knows it (fraud scanning uses it). */
export const clientInfoSchema = z.object({
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
});

export const userSignedInSchema = z.object({
  user_id: z.string(),
  mfa: z.boolean(),
  client: clientInfoSchema,
});

export const userSignInFailedSchema = z.object({
  /** Null when the email matched no user. */
  user_id: z.string().nullable(),
  reason: z.enum(['invalid_credentials', 'locked', 'invalid_mfa_code', 'unknown_user']),
  failed_attempts: z.number().int(),
  locked_until: z.string().nullable(),
  client: clientInfoSchema,
});

export const userProfileUpdatedSchema = z.object({
  user_id: z.string(),
  /** Names of the changed fields, never their values. */
  updated_fields: z.array(z.string()),
  updated_by: z.string(),
});

export type ClientInfo = z.infer<typeof clientInfoSchema>;
export type UserSignedIn = z.infer<typeof userSignedInSchema>;
export type UserSignInFailed = z.infer<typeof userSignInFailedSchema>;
export type UserProfileUpdated = z.infer<typeof userProfileUpdatedSchema>;
