// Generated from proto/ by packages/contracts/scripts/generate.ts. Do not edit; run `pnpm generate`.

import type { Input } from '../../../input';

export interface AuthServiceHandlers<Context> {
  /**
   * Sign in with an email and password. Returns tokens, or `mfa_required` with a challenge that verify_mfa completes
   * when the user has TOTP enrolled.
   */
  authenticateUser(request: AuthenticateUserRequest, context: Context): Promise<AuthenticateUserResponse>;
  /**
   * Complete a sign-in that returned `mfa_required` with the current code of the user's authenticator app.
   */
  verifyMfa(request: VerifyMfaRequest, context: Context): Promise<VerifyMfaResponse>;
  /**
   * Exchange a refresh token for a new access token and a new refresh token. Each refresh token works once; reusing
   * one revokes the sign-in it came from: its refresh tokens stop at once, its access tokens within seconds.
   */
  refreshToken(request: RefreshTokenRequest, context: Context): Promise<RefreshTokenResponse>;
  /**
   * A user's profile. Personal data is decrypted only for the owner and for support staff.
   */
  getUserProfile(request: GetUserProfileRequest, context: Context): Promise<GetUserProfileResponse>;
  /**
   * A user's role and the scopes it grants.
   */
  getUserPermissions(request: GetUserPermissionsRequest, context: Context): Promise<GetUserPermissionsResponse>;
  /**
   * Update fields of a user's profile. Only the fields listed in profile_data can change; role, scopes and email
   * cannot be set this way.
   */
  updateUserProfile(request: UpdateUserProfileRequest, context: Context): Promise<UpdateUserProfileResponse>;
  /**
   * Start enrolling a TOTP authenticator: returns the secret once. Enrolment takes effect when confirm_mfa accepts
   * a first code.
   */
  enrollMfa(request: EnrollMfaRequest, context: Context): Promise<EnrollMfaResponse>;
  /**
   * Confirm TOTP enrolment with a first code from the authenticator app.
   */
  confirmMfa(request: ConfirmMfaRequest, context: Context): Promise<ConfirmMfaResponse>;
  /**
   * Step-up check that other services call before a sensitive action: verifies a current TOTP code of the user.
   * A code is accepted once. Called with the user's internal token: the user_id must be the caller's.
   */
  verifyStepUp(request: VerifyStepUpRequest, context: Context): Promise<VerifyStepUpResponse>;
  /**
   * Exchange a caller's access token for the short-lived internal token that the services accept (audience
   * fintech-internal, scopes no wider than the caller's).
   */
  exchangeToken(request: ExchangeTokenRequest, context: Context): Promise<ExchangeTokenResponse>;
  /**
   * The public keys that sign access and internal tokens, as a JSON Web Key Set.
   */
  getJwks(request: GetJwksRequest, context: Context): Promise<GetJwksResponse>;
}

export interface AuthServiceClient<CallOptions = unknown> {
  /**
   * Sign in with an email and password. Returns tokens, or `mfa_required` with a challenge that verify_mfa completes
   * when the user has TOTP enrolled.
   */
  authenticateUser(request: Input<AuthenticateUserRequest>, options?: CallOptions): Promise<AuthenticateUserResponse>;
  /**
   * Complete a sign-in that returned `mfa_required` with the current code of the user's authenticator app.
   */
  verifyMfa(request: Input<VerifyMfaRequest>, options?: CallOptions): Promise<VerifyMfaResponse>;
  /**
   * Exchange a refresh token for a new access token and a new refresh token. Each refresh token works once; reusing
   * one revokes the sign-in it came from: its refresh tokens stop at once, its access tokens within seconds.
   */
  refreshToken(request: Input<RefreshTokenRequest>, options?: CallOptions): Promise<RefreshTokenResponse>;
  /**
   * A user's profile. Personal data is decrypted only for the owner and for support staff.
   */
  getUserProfile(request: Input<GetUserProfileRequest>, options?: CallOptions): Promise<GetUserProfileResponse>;
  /**
   * A user's role and the scopes it grants.
   */
  getUserPermissions(request: Input<GetUserPermissionsRequest>, options?: CallOptions): Promise<GetUserPermissionsResponse>;
  /**
   * Update fields of a user's profile. Only the fields listed in profile_data can change; role, scopes and email
   * cannot be set this way.
   */
  updateUserProfile(request: Input<UpdateUserProfileRequest>, options?: CallOptions): Promise<UpdateUserProfileResponse>;
  /**
   * Start enrolling a TOTP authenticator: returns the secret once. Enrolment takes effect when confirm_mfa accepts
   * a first code.
   */
  enrollMfa(request: Input<EnrollMfaRequest>, options?: CallOptions): Promise<EnrollMfaResponse>;
  /**
   * Confirm TOTP enrolment with a first code from the authenticator app.
   */
  confirmMfa(request: Input<ConfirmMfaRequest>, options?: CallOptions): Promise<ConfirmMfaResponse>;
  /**
   * Step-up check that other services call before a sensitive action: verifies a current TOTP code of the user.
   * A code is accepted once. Called with the user's internal token: the user_id must be the caller's.
   */
  verifyStepUp(request: Input<VerifyStepUpRequest>, options?: CallOptions): Promise<VerifyStepUpResponse>;
  /**
   * Exchange a caller's access token for the short-lived internal token that the services accept (audience
   * fintech-internal, scopes no wider than the caller's).
   */
  exchangeToken(request: Input<ExchangeTokenRequest>, options?: CallOptions): Promise<ExchangeTokenResponse>;
  /**
   * The public keys that sign access and internal tokens, as a JSON Web Key Set.
   */
  getJwks(request: Input<GetJwksRequest>, options?: CallOptions): Promise<GetJwksResponse>;
}

export const AuthServiceDefinition = {
  serviceName: 'fintech.auth.v1.AuthService',
  protoFile: 'fintech/auth/v1/auth.proto',
  methods: {
    authenticateUser: { name: 'AuthenticateUser', path: '/fintech.auth.v1.AuthService/AuthenticateUser' },
    verifyMfa: { name: 'VerifyMfa', path: '/fintech.auth.v1.AuthService/VerifyMfa' },
    refreshToken: { name: 'RefreshToken', path: '/fintech.auth.v1.AuthService/RefreshToken' },
    getUserProfile: { name: 'GetUserProfile', path: '/fintech.auth.v1.AuthService/GetUserProfile' },
    getUserPermissions: { name: 'GetUserPermissions', path: '/fintech.auth.v1.AuthService/GetUserPermissions' },
    updateUserProfile: { name: 'UpdateUserProfile', path: '/fintech.auth.v1.AuthService/UpdateUserProfile' },
    enrollMfa: { name: 'EnrollMfa', path: '/fintech.auth.v1.AuthService/EnrollMfa' },
    confirmMfa: { name: 'ConfirmMfa', path: '/fintech.auth.v1.AuthService/ConfirmMfa' },
    verifyStepUp: { name: 'VerifyStepUp', path: '/fintech.auth.v1.AuthService/VerifyStepUp' },
    exchangeToken: { name: 'ExchangeToken', path: '/fintech.auth.v1.AuthService/ExchangeToken' },
    getJwks: { name: 'GetJwks', path: '/fintech.auth.v1.AuthService/GetJwks' },
  },
} as const;

export interface AuthenticateUserRequest {
  /**
   * The user's email address.
   */
  username: string;
  password: string;
}

export interface AuthenticateUserResponse {
  /**
   * "authenticated", or "mfa_required" when a one-time code must follow.
   */
  status: string;
  /**
   * Access token (JWT) to send as `Authorization: Bearer`. Empty while MFA is required.
   */
  token: string;
  refresh_token: string;
  token_type: string;
  /**
   * Seconds until the access token expires.
   */
  expires_in: number;
  /**
   * Challenge to pass to verify_mfa when status is "mfa_required"; absent otherwise.
   */
  mfa_challenge?: string;
  user_id: string;
}

export interface VerifyMfaRequest {
  /**
   * The mfa_challenge returned by authenticate_user.
   */
  challenge: string;
  /**
   * The 6-digit code shown by the authenticator app.
   */
  code: string;
}

/**
 * The same fields as AuthenticateUserResponse: a completed sign-in looks the same whichever step completed it.
 */
export interface VerifyMfaResponse {
  /**
   * "authenticated".
   */
  status: string;
  /**
   * Access token (JWT) to send as `Authorization: Bearer`.
   */
  token: string;
  refresh_token: string;
  token_type: string;
  /**
   * Seconds until the access token expires.
   */
  expires_in: number;
  /**
   * Never a new challenge here; kept so both sign-in steps answer in one shape.
   */
  mfa_challenge?: string;
  user_id: string;
}

export interface RefreshTokenRequest {
  refresh_token: string;
}

export interface RefreshTokenResponse {
  token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export interface GetUserProfileRequest {
  /**
   * The user's id, or "me" for the caller.
   */
  user_id: string;
}

export interface Address {
  line1: string;
  line2: string;
  city: string;
  region: string;
  postal_code: string;
  /**
   * ISO 3166-1 alpha-2 country code.
   */
  country: string;
}

/**
 * The profile itself (the fields of UserProfile, at the top level as agents have always read them).
 */
export interface GetUserProfileResponse {
  user_id: string;
  email: string;
  full_name: string;
  phone: string;
  address?: Address | null;
  /**
   * ISO date, YYYY-MM-DD.
   */
  date_of_birth: string;
  role: string;
  mfa_enabled: boolean;
  /**
   * RFC 3339 UTC.
   */
  created_at: string;
  updated_at: string;
}

export interface UserProfile {
  user_id: string;
  email: string;
  full_name: string;
  phone: string;
  address?: Address | null;
  /**
   * ISO date, YYYY-MM-DD.
   */
  date_of_birth: string;
  role: string;
  mfa_enabled: boolean;
  /**
   * RFC 3339 UTC.
   */
  created_at: string;
  updated_at: string;
}

export interface GetUserPermissionsRequest {
  /**
   * The user's id, or "me" for the caller.
   */
  user_id: string;
}

export interface GetUserPermissionsResponse {
  user_id: string;
  role: string;
  scopes: string[];
}

/**
 * The profile fields a user may change. Any other field (role, scopes, email) is refused.
 */
export interface ProfileData {
  full_name?: string;
  /**
   * E.164 phone number, e.g. +14155550123.
   */
  phone?: string;
  address?: Address | null;
  /**
   * ISO date, YYYY-MM-DD.
   */
  date_of_birth?: string;
}

export interface UpdateUserProfileRequest {
  /**
   * The user's id, or "me" for the caller.
   */
  user_id: string;
  profile_data?: ProfileData | null;
}

export interface UpdateUserProfileResponse {
  success: boolean;
  updated_fields: string[];
  profile?: UserProfile | null;
}

export interface EnrollMfaRequest {
  /**
   * The user's id, or "me" for the caller.
   */
  user_id: string;
}

export interface EnrollMfaResponse {
  /**
   * Base32 TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s). Shown once.
   */
  secret: string;
  /**
   * otpauth:// URI for authenticator apps.
   */
  otpauth_uri: string;
}

export interface ConfirmMfaRequest {
  /**
   * The user's id, or "me" for the caller.
   */
  user_id: string;
  code: string;
}

export interface ConfirmMfaResponse {
  mfa_enabled: boolean;
}

export interface VerifyStepUpRequest {
  user_id: string;
  code: string;
}

export interface VerifyStepUpResponse {
  /**
   * Whether the user has TOTP enrolled; when false there is no second factor to check.
   */
  mfa_enrolled: boolean;
  /**
   * Whether the code was valid and not used before.
   */
  verified: boolean;
}

export interface ExchangeTokenRequest {
  /**
   * The caller's access token.
   */
  subject_token: string;
  /**
   * "access_token" (API keys come later).
   */
  subject_token_type: string;
  /**
   * Narrow the internal token to these scopes; empty means all of the caller's scopes.
   */
  scopes: string[];
}

export interface ExchangeTokenResponse {
  internal_token: string;
  expires_in: number;
  user_id: string;
  role: string;
  scopes: string[];
}

export interface GetJwksRequest {
}

export interface GetJwksResponse {
  /**
   * JSON text of the key set (RFC 7517).
   */
  jwks_json: string;
}
