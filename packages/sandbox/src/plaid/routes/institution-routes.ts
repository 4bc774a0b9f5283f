import type { FastifyInstance } from 'fastify';
import { plaidErrors } from '../errors.js';
import { institutionView, type InstitutionRecord } from '../institutions.js';
import type { PlaidBackend } from '../plaid-backend.js';
import type { CountryCode, Product } from '../wire-types.js';
import { plaidRoute } from './plaid-route.js';
import type { RequestBody } from './request-body.js';

const COUNTRY_CODES = [
  'US',
  'GB',
  'ES',
  'NL',
  'FR',
  'IE',
  'CA',
  'DE',
  'IT',
  'PL',
  'DK',
  'NO',
  'SE',
  'EE',
  'LT',
  'LV',
  'PT',
  'BE',
  'AT',
  'FI',
];

function countryCodes(body: RequestBody): string[] {
  const codes = body.stringArray('country_codes');
  for (const code of codes)
    if (!COUNTRY_CODES.includes(code))
      throw plaidErrors.invalidField(`country_codes contains an unknown country: ${code}`);
  return codes;
}

const inCountries = (record: InstitutionRecord, codes: string[]): boolean =>
  record.institution.country_codes.some((code: CountryCode) => codes.includes(code));

const supportsAll = (record: InstitutionRecord, products: string[] | undefined): boolean =>
  !products || products.every((p) => record.institution.products.includes(p as Product));

export function registerInstitutionRoutes(app: FastifyInstance, backend: PlaidBackend): void {
  plaidRoute(app, backend, '/institutions/get', ({ body }) => {
    const count = body.int('count', 1, 500);
    const offset = body.int('offset', 0, Number.MAX_SAFE_INTEGER);
    const codes = countryCodes(body);
    const options = body.object('options');
    const products = options.optionalStringArray('products');
    const oauth = options.optionalBoolean('oauth');
    const routingNumbers = options.optionalStringArray('routing_numbers');
    const includeOptionalMetadata = options.optionalBoolean('include_optional_metadata') ?? false;
    const matching = backend.institutions.filter(
      (record) =>
        inCountries(record, codes) &&
        supportsAll(record, products) &&
        (oauth === undefined || record.institution.oauth === oauth) &&
        (!routingNumbers || routingNumbers.every((n) => record.institution.routing_numbers.includes(n))),
    );
    return {
      institutions: matching.slice(offset, offset + count).map((r) => institutionView(r, { includeOptionalMetadata })),
      total: matching.length,
    };
  });

  plaidRoute(app, backend, '/institutions/get_by_id', ({ body }) => {
    const institutionId = body.string('institution_id');
    const codes = countryCodes(body);
    const options = body.object('options');
    const record = backend.institution(institutionId);
    if (!record || !inCountries(record, codes)) throw plaidErrors.invalidInstitution();
    return {
      institution: institutionView(record, {
        includeOptionalMetadata: options.optionalBoolean('include_optional_metadata') ?? false,
        includeStatus: options.optionalBoolean('include_status') ?? false,
      }),
    };
  });

  plaidRoute(app, backend, '/institutions/search', ({ body }) => {
    const query = body.string('query').toLowerCase();
    const codes = countryCodes(body);
    const products = body.optionalStringArray('products');
    const options = body.object('options');
    const oauth = options.optionalBoolean('oauth');
    const includeOptionalMetadata = options.optionalBoolean('include_optional_metadata') ?? false;
    const matching = backend.institutions.filter(
      (record) =>
        record.institution.name.toLowerCase().includes(query) &&
        inCountries(record, codes) &&
        supportsAll(record, products) &&
        (oauth === undefined || record.institution.oauth === oauth),
    );
    return { institutions: matching.map((r) => institutionView(r, { includeOptionalMetadata })) };
  });
}
