import { AtlasError } from '../core/errors.js';
import { DEFAULT_REGIME_PARAMS, resolveParams, type RegimeParamsInput } from './types.js';

/**
 * Parses `--regime-params '{"vixFloor":null,"jumpPenalty":20}'`: any subset of the model's
 * parameters (docs/regime.md lists them). Unknown names and bad values get one sentence.
 */
export function parseRegimeParams(raw: string | undefined): RegimeParamsInput | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AtlasError(`--regime-params must be a JSON object such as '{"vixFloor":null,"jumpPenalty":20}'.`, { code: 'BAD_FLAG' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AtlasError(`--regime-params must be a JSON object such as '{"vixFloor":null,"jumpPenalty":20}'.`, { code: 'BAD_FLAG' });
  }
  const known = Object.keys(DEFAULT_REGIME_PARAMS);
  for (const [k, v] of Object.entries(value)) {
    if (!known.includes(k)) throw new AtlasError(`--regime-params: unknown parameter "${k}"; use one of ${known.join(', ')}.`, { code: 'BAD_FLAG' });
    const def = (DEFAULT_REGIME_PARAMS as unknown as Record<string, unknown>)[k];
    const okType = k === 'vixFloor' ? v === null || typeof v === 'number' : k === 'allocation' ? typeof v === 'object' && v !== null : typeof v === typeof def;
    if (!okType) throw new AtlasError(`--regime-params: "${k}" must be ${k === 'vixFloor' ? 'a number or null' : `a ${typeof def}`}.`, { code: 'BAD_FLAG' });
  }
  const params = value as RegimeParamsInput;
  try {
    resolveParams(params);
  } catch (err) {
    throw new AtlasError(`--regime-params: ${(err as Error).message.replace(/^regime params: /, '')}.`, { code: 'BAD_FLAG' });
  }
  return params;
}
