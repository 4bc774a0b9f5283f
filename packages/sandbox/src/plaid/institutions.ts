import type { SeededRandom } from './random.js';
import type { CountryCode, Product, WireInstitution } from './wire-types.js';

const ALL_PRODUCTS: Product[] = ['assets', 'auth', 'balance', 'identity', 'investments', 'liabilities', 'transactions'];

interface InstitutionSeed {
  id: string;
  name: string;
  country: CountryCode;
  oauth: boolean;
  products: Product[];
  url: string;
  color: string;
}

/** Plaid's own Sandbox institutions (same ids and names), so code written against the real Sandbox runs unchanged. */
const INSTITUTION_SEEDS: InstitutionSeed[] = [
  {
    id: 'ins_109508',
    name: 'First Platypus Bank',
    country: 'US',
    oauth: false,
    products: ALL_PRODUCTS,
    url: 'https://www.platypus.plaid.com',
    color: '#1f1f1f',
  },
  {
    id: 'ins_109509',
    name: 'First Gingham Credit Union',
    country: 'US',
    oauth: false,
    products: ALL_PRODUCTS,
    url: 'https://www.gingham.plaid.com',
    color: '#3a7d44',
  },
  {
    id: 'ins_109510',
    name: 'Tattersall Federal Credit Union',
    country: 'US',
    oauth: false,
    products: ALL_PRODUCTS,
    url: 'https://www.tattersall.plaid.com',
    color: '#7b2d26',
  },
  {
    id: 'ins_109511',
    name: 'Tartan Bank',
    country: 'US',
    oauth: false,
    products: ALL_PRODUCTS,
    url: 'https://www.tartan.plaid.com',
    color: '#264653',
  },
  {
    id: 'ins_109512',
    name: 'Houndstooth Bank',
    country: 'US',
    oauth: false,
    products: ALL_PRODUCTS,
    url: 'https://www.houndstooth.plaid.com',
    color: '#e76f51',
  },
  {
    id: 'ins_127287',
    name: 'Platypus OAuth Bank',
    country: 'US',
    oauth: true,
    products: ['auth', 'balance', 'identity', 'transactions'],
    url: 'https://www.platypusoauth.plaid.com',
    color: '#2a9d8f',
  },
  {
    id: 'ins_43',
    name: 'Tartan-Dominion Bank of Canada',
    country: 'CA',
    oauth: false,
    products: ['auth', 'balance', 'identity', 'transactions'],
    url: 'https://www.tartandominion.plaid.com',
    color: '#b5179e',
  },
  {
    id: 'ins_117650',
    name: 'Royal Bank of Plaid',
    country: 'GB',
    oauth: true,
    products: ['auth', 'balance', 'identity', 'transactions'],
    url: 'https://www.royalbankofplaid.plaid.com',
    color: '#023e8a',
  },
];

export interface InstitutionRecord {
  institution: WireInstitution;
  currency: string;
}

const CURRENCY: Record<CountryCode, string> = { US: 'USD', CA: 'CAD', GB: 'GBP' };

/** The seeded institution catalog; routing numbers come from the seed. */
export function createInstitutions(random: SeededRandom): InstitutionRecord[] {
  return INSTITUTION_SEEDS.map((seed) => ({
    currency: CURRENCY[seed.country],
    institution: {
      institution_id: seed.id,
      name: seed.name,
      products: [...seed.products],
      country_codes: [seed.country],
      url: seed.url,
      primary_color: seed.color,
      logo: null,
      routing_numbers: seed.country === 'US' ? [`0${random.digits(8)}`, `0${random.digits(8)}`] : [],
      dtc_numbers: seed.country === 'US' ? [random.digits(4)] : [],
      oauth: seed.oauth,
    },
  }));
}

export interface InstitutionViewOptions {
  includeOptionalMetadata: boolean;
  includeStatus?: boolean;
}

/** Plaid returns url, primary_color and logo only when `include_optional_metadata` is true. */
export function institutionView(record: InstitutionRecord, view: InstitutionViewOptions): WireInstitution {
  const { url, primary_color, logo, ...rest } = record.institution;
  const base: WireInstitution = view.includeOptionalMetadata ? { ...rest, url, primary_color, logo } : rest;
  return view.includeStatus ? { ...base, status: null } : base;
}
