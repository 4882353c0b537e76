import { AtlasError } from '../core/errors.js';
import type { BacktestMetrics } from './metrics.js';

/** Metrics a --gate may test, by the names a user types. */
const GATE_METRICS = {
  sharpe: (m: BacktestMetrics) => m.sharpe,
  sortino: (m: BacktestMetrics) => m.sortino,
  cagr: (m: BacktestMetrics) => m.cagr,
  total_return: (m: BacktestMetrics) => m.totalReturn,
  volatility: (m: BacktestMetrics) => m.volatility,
  max_drawdown: (m: BacktestMetrics) => m.maxDrawdown,
  calmar: (m: BacktestMetrics) => m.calmar,
  exposure: (m: BacktestMetrics) => m.exposure,
  turnover: (m: BacktestMetrics) => m.turnover,
  win_rate: (m: BacktestMetrics) => m.winRate,
} as const;

type GateMetric = keyof typeof GATE_METRICS;
type Op = '>=' | '<=' | '>' | '<' | '=';

export interface GateCondition {
  metric: GateMetric;
  op: Op;
  threshold: number;
  text: string;
}

export interface GateCheck extends GateCondition {
  value: number;
  pass: boolean;
}

/** Parses "sharpe>=0.8,cagr>=0.10,max_drawdown>=-0.3". */
export function parseGate(spec: string): GateCondition[] {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new AtlasError('--gate is empty; write conditions such as "sharpe>=0.8,cagr>=0.10".', { code: 'BAD_FLAG' });
  return parts.map((text) => {
    const m = /^([a-z_]+)\s*(>=|<=|>|<|=)\s*(-?\d+(?:\.\d+)?%?)$/i.exec(text);
    if (!m) throw new AtlasError(`--gate condition "${text}" is not of the form metric>=number (e.g. sharpe>=0.8).`, { code: 'BAD_FLAG' });
    const metric = m[1].toLowerCase().replace(/-/g, '_') as GateMetric;
    if (!(metric in GATE_METRICS)) {
      throw new AtlasError(`--gate metric "${m[1]}" is unknown; use one of ${Object.keys(GATE_METRICS).join(', ')}.`, { code: 'BAD_FLAG' });
    }
    const threshold = m[3].endsWith('%') ? Number(m[3].slice(0, -1)) / 100 : Number(m[3]);
    return { metric, op: m[2] as Op, threshold, text };
  });
}

export function checkGate(conditions: readonly GateCondition[], metrics: BacktestMetrics): GateCheck[] {
  return conditions.map((c) => {
    const value = GATE_METRICS[c.metric](metrics);
    const pass = Number.isFinite(value) && (
      c.op === '>=' ? value >= c.threshold : c.op === '<=' ? value <= c.threshold : c.op === '>' ? value > c.threshold : c.op === '<' ? value < c.threshold : value === c.threshold
    );
    return { ...c, value, pass };
  });
}
