import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { DomainError, scopesForRole } from '@fintech/kit';
import { ARGON2_PARAMETERS, assertAcceptablePassword, normalizeEmail } from '../domain/credentials';
import type { AuthDeps } from '../deps';

export interface CreateUserInput {
  email: string;
  password: string;
  role?: string;
  fullName?: string;
}

/**
 * Creates a user: the only way users come to exist (the `pnpm fleet user:create` command and the fleet's seed).
 * Not exposed over MCP: agents never create accounts.
 */
export async function createUser(deps: Pick<AuthDeps, 'prisma' | 'users'>, input: CreateUserInput): Promise<string> {
  const email = normalizeEmail(input.email);
  assertAcceptablePassword(input.password);
  const role = input.role ?? 'customer';
  scopesForRole(role);
  if (await deps.users.findByEmail(deps.prisma, email)) {
    throw new DomainError('ALREADY_EXISTS', 'a user with this email already exists', { field: 'email' });
  }
  const id = randomUUID();
  const passwordHash = await hash(input.password, ARGON2_PARAMETERS);
  await deps.users.create(deps.prisma, { id, email, passwordHash, role, fullName: input.fullName });
  return id;
}
