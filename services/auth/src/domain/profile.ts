import { ValidationError } from '@fintech/kit';
import type { authV1 } from '@fintech/contracts';

/** A profile change after validation: only the fields the caller gave, normalised. */
export interface ProfileChange {
  fullName?: string;
  phone?: string;
  address?: authV1.Address;
  dateOfBirth?: string;
}

const PHONE = /^\+[1-9][0-9]{6,14}$/;
const COUNTRY = /^[A-Z]{2}$/;

function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/**
 * Validates the fields of update_user_profile. Only these fields exist in ProfileData, so role, scopes or email
 * cannot even be expressed; what is given here is checked for shape and sense.
 */
export function validateProfileChange(data: authV1.ProfileData | null, today: Date): ProfileChange {
  if (!data) throw new ValidationError('profile_data is required', 'profile_data');
  const change: ProfileChange = {};
  if (data.full_name !== undefined) {
    const fullName = data.full_name.trim();
    if (fullName.length < 1 || fullName.length > 200) {
      throw new ValidationError('full_name must have 1 to 200 characters', 'profile_data.full_name');
    }
    change.fullName = fullName;
  }
  if (data.phone !== undefined) {
    if (!PHONE.test(data.phone)) {
      throw new ValidationError('phone must be an E.164 number such as +14155550123', 'profile_data.phone');
    }
    change.phone = data.phone;
  }
  if (data.date_of_birth !== undefined) {
    if (!isIsoDate(data.date_of_birth)) {
      throw new ValidationError('date_of_birth must be a date YYYY-MM-DD', 'profile_data.date_of_birth');
    }
    const born = new Date(`${data.date_of_birth}T00:00:00Z`);
    if (born.getTime() > today.getTime() || born.getUTCFullYear() < 1900) {
      throw new ValidationError('date_of_birth must be a past date after 1900', 'profile_data.date_of_birth');
    }
    change.dateOfBirth = data.date_of_birth;
  }
  if (data.address) {
    const a = data.address;
    const limits: [keyof authV1.Address, number][] = [
      ['line1', 200],
      ['line2', 200],
      ['city', 100],
      ['region', 100],
      ['postal_code', 20],
    ];
    for (const [field, max] of limits) {
      if (a[field].length > max) {
        throw new ValidationError(`${field} must have at most ${max} characters`, `profile_data.address.${field}`);
      }
    }
    if (a.country && !COUNTRY.test(a.country)) {
      throw new ValidationError('country must be an ISO 3166-1 alpha-2 code', 'profile_data.address.country');
    }
    change.address = { ...a };
  }
  if (Object.keys(change).length === 0) {
    throw new ValidationError('profile_data names no field to update', 'profile_data');
  }
  return change;
}
