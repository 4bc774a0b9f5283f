import { unitFor, uuidFor } from './random.js';

export type ListingExchange = 'NASDAQ' | 'NYSE' | 'ARCA';

export interface Asset {
  id: string;
  symbol: string;
  name: string;
  exchange: ListingExchange;
  fractionable: boolean;
  shortable: boolean;
  easyToBorrow: boolean;
  /** Price in cents on the reference day of the price path. */
  referenceCents: number;
  /** Daily volatility in parts per million of price. */
  dailyVolatilityPpm: number;
  /** Typical shares traded per session. */
  dailyVolume: number;
}

interface AssetSeed {
  symbol: string;
  name: string;
  exchange: ListingExchange;
  approxCents: number;
  volatilityPpm: number;
  dailyVolume: number;
  fractionable?: boolean;
}

/** Liquid US equities and ETFs; prices are only a starting point, the seed moves each by up to ±10 %. */
const UNIVERSE: AssetSeed[] = [
  {
    symbol: 'AAPL',
    name: 'Apple Inc. Common Stock',
    exchange: 'NASDAQ',
    approxCents: 19_000,
    volatilityPpm: 14_000,
    dailyVolume: 55_000_000,
  },
  {
    symbol: 'MSFT',
    name: 'Microsoft Corporation Common Stock',
    exchange: 'NASDAQ',
    approxCents: 41_000,
    volatilityPpm: 13_000,
    dailyVolume: 22_000_000,
  },
  {
    symbol: 'GOOGL',
    name: 'Alphabet Inc. Class A Common Stock',
    exchange: 'NASDAQ',
    approxCents: 17_000,
    volatilityPpm: 16_000,
    dailyVolume: 27_000_000,
  },
  {
    symbol: 'AMZN',
    name: 'Amazon.com, Inc. Common Stock',
    exchange: 'NASDAQ',
    approxCents: 18_500,
    volatilityPpm: 17_000,
    dailyVolume: 40_000_000,
  },
  {
    symbol: 'NVDA',
    name: 'NVIDIA Corporation Common Stock',
    exchange: 'NASDAQ',
    approxCents: 12_000,
    volatilityPpm: 28_000,
    dailyVolume: 250_000_000,
  },
  {
    symbol: 'META',
    name: 'Meta Platforms, Inc. Class A Common Stock',
    exchange: 'NASDAQ',
    approxCents: 50_000,
    volatilityPpm: 20_000,
    dailyVolume: 14_000_000,
  },
  {
    symbol: 'TSLA',
    name: 'Tesla, Inc. Common Stock',
    exchange: 'NASDAQ',
    approxCents: 25_000,
    volatilityPpm: 32_000,
    dailyVolume: 95_000_000,
  },
  {
    symbol: 'JPM',
    name: 'JPMorgan Chase & Co. Common Stock',
    exchange: 'NYSE',
    approxCents: 20_000,
    volatilityPpm: 12_000,
    dailyVolume: 9_000_000,
  },
  {
    symbol: 'V',
    name: 'Visa Inc.',
    exchange: 'NYSE',
    approxCents: 28_000,
    volatilityPpm: 10_000,
    dailyVolume: 6_500_000,
  },
  {
    symbol: 'JNJ',
    name: 'Johnson & Johnson Common Stock',
    exchange: 'NYSE',
    approxCents: 15_500,
    volatilityPpm: 9_000,
    dailyVolume: 7_000_000,
  },
  {
    symbol: 'WMT',
    name: 'Walmart Inc. Common Stock',
    exchange: 'NYSE',
    approxCents: 8_000,
    volatilityPpm: 10_000,
    dailyVolume: 16_000_000,
  },
  {
    symbol: 'XOM',
    name: 'Exxon Mobil Corporation Common Stock',
    exchange: 'NYSE',
    approxCents: 11_000,
    volatilityPpm: 13_000,
    dailyVolume: 15_000_000,
  },
  {
    symbol: 'PG',
    name: 'Procter & Gamble Company (The) Common Stock',
    exchange: 'NYSE',
    approxCents: 16_500,
    volatilityPpm: 8_000,
    dailyVolume: 6_500_000,
  },
  {
    symbol: 'KO',
    name: 'Coca-Cola Company (The) Common Stock',
    exchange: 'NYSE',
    approxCents: 6_200,
    volatilityPpm: 8_000,
    dailyVolume: 13_000_000,
  },
  {
    symbol: 'DIS',
    name: 'Walt Disney Company (The) Common Stock',
    exchange: 'NYSE',
    approxCents: 10_000,
    volatilityPpm: 15_000,
    dailyVolume: 9_000_000,
  },
  {
    symbol: 'SPY',
    name: 'SPDR S&P 500 ETF Trust',
    exchange: 'ARCA',
    approxCents: 55_000,
    volatilityPpm: 8_000,
    dailyVolume: 60_000_000,
  },
  {
    symbol: 'QQQ',
    name: 'Invesco QQQ Trust, Series 1',
    exchange: 'NASDAQ',
    approxCents: 47_000,
    volatilityPpm: 10_000,
    dailyVolume: 35_000_000,
  },
  {
    symbol: 'IWM',
    name: 'iShares Russell 2000 ETF',
    exchange: 'ARCA',
    approxCents: 21_000,
    volatilityPpm: 12_000,
    dailyVolume: 28_000_000,
  },
  {
    symbol: 'VTI',
    name: 'Vanguard Total Stock Market ETF',
    exchange: 'ARCA',
    approxCents: 27_000,
    volatilityPpm: 8_000,
    dailyVolume: 3_500_000,
  },
  {
    symbol: 'GLD',
    name: 'SPDR Gold Trust',
    exchange: 'ARCA',
    approxCents: 22_000,
    volatilityPpm: 9_000,
    dailyVolume: 7_000_000,
  },
  // One whole-share-only asset, so that fractional validation has something to refuse.
  {
    symbol: 'AGG',
    name: 'iShares Core U.S. Aggregate Bond ETF',
    exchange: 'ARCA',
    approxCents: 9_800,
    volatilityPpm: 3_000,
    dailyVolume: 7_500_000,
    fractionable: false,
  },
];

/** The seeded asset list, sorted by symbol. */
export function buildAssets(seed: string): Asset[] {
  return UNIVERSE.map((entry) => ({
    id: uuidFor(seed, 'asset', entry.symbol),
    symbol: entry.symbol,
    name: entry.name,
    exchange: entry.exchange,
    fractionable: entry.fractionable ?? true,
    shortable: true,
    easyToBorrow: true,
    referenceCents: Math.round(entry.approxCents * (0.9 + 0.2 * unitFor(seed, 'reference-price', entry.symbol))),
    dailyVolatilityPpm: entry.volatilityPpm,
    dailyVolume: entry.dailyVolume,
  })).sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

/** Wire shape of GET /v2/assets. */
export function assetToWire(asset: Asset): Record<string, unknown> {
  return {
    id: asset.id,
    class: 'us_equity',
    exchange: asset.exchange,
    symbol: asset.symbol,
    name: asset.name,
    status: 'active',
    tradable: true,
    marginable: true,
    maintenance_margin_requirement: 30,
    margin_requirement_long: '30',
    margin_requirement_short: '100',
    shortable: asset.shortable,
    easy_to_borrow: asset.easyToBorrow,
    fractionable: asset.fractionable,
    attributes: asset.fractionable ? ['fractional_eh_enabled', 'has_options'] : ['has_options'],
  };
}

/** Tape letter of the listing exchange (A: NYSE, B: NYSE Arca and others, C: Nasdaq). */
export function tapeOf(asset: Asset): 'A' | 'B' | 'C' {
  return asset.exchange === 'NYSE' ? 'A' : asset.exchange === 'ARCA' ? 'B' : 'C';
}
