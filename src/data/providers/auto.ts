import { AtlasError, TransientError, describeError } from '../../core/errors.js';
import type { BarSeries } from '../bar.js';
import type { MarketDataProvider } from './provider.js';
import { canonicalSymbol } from './symbols.js';
import type { Log } from './http.js';

export interface AutoProviderOptions {
  primary: MarketDataProvider; // Tiingo
  fallback: MarketDataProvider; // Yahoo
  /** False when the primary has no key: go straight to the fallback (and say so once). */
  primaryUsable?: boolean;
  /** Why the primary is unusable, e.g. 'TIINGO_API_KEY is not set'. */
  primaryUnusableReason?: string;
  log?: Log;
}

/**
 * The 'auto' provider: Tiingo first, Yahoo when Tiingo fails or has no key. The reason for
 * falling back is logged once per symbol. A symbol neither source knows is an AtlasError
 * (code UNKNOWN_SYMBOL); when both fail otherwise, the error says what each one answered.
 */
export class AutoProvider implements MarketDataProvider {
  readonly name = 'auto' as const;
  private readonly opts: AutoProviderOptions;
  private readonly loggedSymbols = new Set<string>();
  private loggedMissingPrimary = false;

  constructor(opts: AutoProviderOptions) {
    this.opts = opts;
  }

  async fetchDailyBars(symbol: string, from: string, to: string): Promise<BarSeries> {
    const canonical = canonicalSymbol(symbol);
    const { primary, fallback } = this.opts;
    let primaryError: unknown;
    if (this.opts.primaryUsable === false) {
      if (!this.loggedMissingPrimary) {
        this.loggedMissingPrimary = true;
        this.log(
          `${capitalise(primary.name)} skipped (${this.opts.primaryUnusableReason ?? 'no API key'}); using ${capitalise(fallback.name)} for market data.`,
        );
      }
    } else {
      try {
        return await primary.fetchDailyBars(canonical, from, to);
      } catch (err) {
        // Bad input is bad for every source; don't hide it behind a fallback.
        if (err instanceof AtlasError && (err.code === 'INVALID_RANGE' || err.code === 'INVALID_SYMBOL')) throw err;
        primaryError = err;
        if (!this.loggedSymbols.has(canonical)) {
          this.loggedSymbols.add(canonical);
          this.log(`${capitalise(primary.name)} failed for ${canonical} (${describeError(err)}); falling back to ${capitalise(fallback.name)}.`);
        }
      }
    }
    try {
      return await fallback.fetchDailyBars(canonical, from, to);
    } catch (err) {
      if (primaryError === undefined) throw err;
      const bothUnknown = isUnknown(primaryError) && isUnknown(err);
      if (bothUnknown) {
        throw new AtlasError(
          `Neither ${capitalise(primary.name)} nor ${capitalise(fallback.name)} knows the symbol ${canonical}; check the ticker.`,
          { code: 'UNKNOWN_SYMBOL', cause: err },
        );
      }
      // One says unknown, the other failed: the failure is the actionable part.
      if (isUnknown(err) && primaryError instanceof AtlasError) throw primaryError;
      if (isUnknown(primaryError) && err instanceof AtlasError) throw err;
      const code = err instanceof AtlasError ? err.code : 'PROVIDER_FAILED';
      const message = `Both data sources failed for ${canonical}: ${capitalise(primary.name)}: ${trimSentence(describeError(primaryError))}; ${capitalise(fallback.name)}: ${trimSentence(describeError(err))}.`;
      if (err instanceof TransientError && primaryError instanceof TransientError) {
        throw new TransientError(message, { code, cause: err, retryAfterMs: err.retryAfterMs });
      }
      throw new AtlasError(message, { code, cause: err });
    }
  }

  private log(msg: string): void {
    this.opts.log?.(msg);
  }
}

function isUnknown(err: unknown): boolean {
  return err instanceof AtlasError && err.code === 'UNKNOWN_SYMBOL';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function trimSentence(s: string): string {
  return s.replace(/[.\s]+$/, '');
}
