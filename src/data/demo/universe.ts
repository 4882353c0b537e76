/**
 * The stocks of the simulated demo market: real tickers (so the built-in universes resolve), a
 * sector each, and the few facts that shape a series: a later listing date, scripted splits, and
 * whether it pays a dividend. Prices, betas and drifts are invented per seed (src/data/demo/stocks.ts).
 */
import type { DemoSector } from './episodes.js';

export interface DemoSplit {
  date: string; // the first session traded on the new basis
  factor: number; // new shares per old share, e.g. 4 for a 4:1 split
}

export interface DemoStockSpec {
  symbol: string;
  sector: DemoSector;
  /** First session with a bar (real listing date); absent = listed before any simulated date. */
  listed?: string;
  splits?: readonly DemoSplit[];
  /** Pays no cash dividend (growth names). */
  noDividend?: boolean;
}

export const DEMO_SPY = 'SPY';
export const DEMO_VIX = 'VIX';

const TECH = 'AAPL MSFT NVDA GOOGL META TSLA AVGO ORCL AMD CRM ADBE NFLX INTC CSCO ACN IBM NOW QCOM TXN INTU AMAT MU LRCX KLAC SNPS CDNS MCHP FTNT PANW CRWD';
const HEALTH = 'UNH JNJ LLY ABBV MRK TMO ABT DHR PFE BMY AMGN CVS MDT GILD CI REGN SYK VRTX ZTS HUM';
const FIN = 'JPM BAC WFC GS MS C BLK SCHW CB AXP PNC USB TFC COF BK AIG MET AFL PRU ALL';
const CONSUMER = 'AMZN BRK-B WMT V XOM MA PG COST HD KO CVX PEP MCD DIS';

/** Real first trading days of the names that listed inside the default 2000-2024 range. */
const LISTED: Record<string, string> = {
  MET: '2000-04-05',
  ACN: '2001-07-19',
  PRU: '2001-12-13',
  NFLX: '2002-05-23',
  CRM: '2004-06-23',
  GOOGL: '2004-08-19',
  MA: '2006-05-25',
  V: '2008-03-19',
  AVGO: '2009-08-06',
  FTNT: '2009-11-18',
  TSLA: '2010-06-29',
  META: '2012-05-18',
  NOW: '2012-06-29',
  PANW: '2012-07-20',
  ABBV: '2013-01-02',
  ZTS: '2013-02-01',
  CRWD: '2019-06-12',
};

/** Scripted splits on their real dates (raw prices before a split are `factor` times higher). */
const SPLITS: Record<string, readonly DemoSplit[]> = {
  AAPL: [{ date: '2020-08-31', factor: 4 }],
  TSLA: [{ date: '2020-08-31', factor: 5 }],
  NVDA: [
    { date: '2021-07-20', factor: 4 },
    { date: '2024-06-10', factor: 10 },
  ],
  AMZN: [{ date: '2022-06-06', factor: 20 }],
  GOOGL: [{ date: '2022-07-18', factor: 20 }],
  WMT: [{ date: '2024-02-26', factor: 3 }],
};

const NO_DIVIDEND = new Set([
  'NVDA', 'GOOGL', 'META', 'TSLA', 'AMD', 'CRM', 'ADBE', 'NFLX', 'NOW', 'INTU', 'MU', 'SNPS', 'CDNS', 'FTNT', 'PANW', 'CRWD',
  'REGN', 'VRTX', 'AMZN', 'BRK-B',
]);

function specs(list: string, sector: DemoSector): DemoStockSpec[] {
  return list.split(' ').map((symbol) => {
    const spec: DemoStockSpec = { symbol, sector };
    if (LISTED[symbol]) spec.listed = LISTED[symbol];
    if (SPLITS[symbol]) spec.splits = SPLITS[symbol];
    if (NO_DIVIDEND.has(symbol)) spec.noDividend = true;
    return spec;
  });
}

/** All 84 demo stocks, sector by sector. */
export const DEMO_STOCKS: readonly DemoStockSpec[] = Object.freeze([
  ...specs(TECH, 'technology'),
  ...specs(HEALTH, 'healthcare'),
  ...specs(FIN, 'financials'),
  ...specs(CONSUMER, 'consumer'),
]);
