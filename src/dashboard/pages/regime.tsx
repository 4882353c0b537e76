/**
 * @module Regime: SPY with regime shading and the regime strip (drag to zoom any range, crosshair
 * values below), VIX beneath, today's regime with its reason and each feature against its
 * threshold, and the days in each regime per year. The numbers are `atlas regime --json`'s.
 * With two or more regime models configured (the accounts' strategy files, `--regime-models`):
 * per model the days in each regime, exposure changes per year and the Sharpe ratio of
 * regime-scaled SPY (`atlas regime compare --json`'s numbers), and one shading strip per model.
 */
import { chartValues, regimeRuns, type ChartSpec } from '../../backtest/report/chartSpec.js';
import { AtlasError } from '../../core/errors.js';
import { explainDay, type DayExplanation, type ThresholdCheck } from '../../regime/explain.js';
import { DEFAULT_REGIME_MODEL } from '../../regime/models/registry.js';
import { summariseRegimes, type RegimeSummary } from '../../regime/summary.js';
import { REGIMES } from '../../regime/types.js';
import { num, pct } from '../format.js';
import type { DashboardData } from '../readModel.js';
import { modelComparison, storedHistory, type ConfiguredModel } from '../regimeModels.js';
import { Chart, Empty } from './layout.js';

interface RegimeView {
  why: DayExplanation;
  chart: ChartSpec;
  summary: RegimeSummary;
}

function regimeView(data: DashboardData): RegimeView | string {
  return data.fromStore('regime', () => {
    let history;
    try {
      history = storedHistory(data, DEFAULT_REGIME_MODEL);
    } catch (err) {
      if (err instanceof AtlasError) return err.message;
      throw err;
    }
    const first = Math.max(0, history.regime.findIndex((r) => r !== null));
    const dates = history.dates.slice(first);
    const spy = new Map(data.bars.getBars('SPY').map((b) => [b.date, b.adjClose]));
    const chart: ChartSpec = {
      dates,
      panels: [
        { title: 'SPY (adjusted close, log scale), shaded by the regime', log: true, unit: 'num', height: 300, shade: true, series: [{ name: 'SPY', color: '#1f77b4', values: chartValues(dates.map((d) => spy.get(d) ?? Number.NaN)) }] },
        { title: 'VIX', unit: 'num', height: 160, series: [{ name: 'VIX', color: '#9467bd', values: chartValues(history.vix.slice(first)) }] },
      ],
      regime: { title: 'Regime', runs: regimeRuns(history.regime.slice(first)) },
    };
    return { why: explainDay(history, history.dates.length - 1), chart, summary: summariseRegimes(history, dates[0], dates[dates.length - 1]) };
  });
}

function Check(props: { label: string; c: ThresholdCheck; asPct?: boolean }) {
  const f = (x: number) => (props.asPct ? pct(x, 1) : num(x));
  return <tr><td>{props.label}</td><td>{f(props.c.value)}</td><td>{props.c.direction === 'gt' ? '>' : '<'} {f(props.c.threshold)}</td><td class={props.c.passed ? 'posv' : 'muted'}>{props.c.passed ? 'met' : 'not met'}</td></tr>;
}

export function RegimePage(props: { data: DashboardData; models: readonly ConfiguredModel[] }) {
  const view = regimeView(props.data);
  if (typeof view === 'string') return <Empty>{view}</Empty>;
  const { why, chart, summary } = view;
  return (
    <>
      <section class="card">
        <p class="big">At the close of <b data-k="date">{why.date}</b>: <b class={why.regime ?? ''} data-k="regime">{why.regime ?? `none (${why.reason})`}</b>, stock allocation <b data-k="allocation">{pct(why.allocation, 0)}</b></p>
        <p data-k="summary">{why.summary}</p>
        <div class="grid2">
          <table>
            <thead><tr><th>check</th><th>value</th><th>threshold</th><th></th></tr></thead>
            <tbody>
              <Check label="DD z-score (crash)" c={why.rules.ddZ} />
              <Check label="S20 z-score (crash)" c={why.rules.s20ZCrash} />
              <Check label="S20 z-score (bull)" c={why.rules.s20ZBull} />
              <Check label="VIX 1-session change" c={why.vix.change1d} asPct />
              <Check label="VIX 3-session change" c={why.vix.change3d} asPct />
            </tbody>
          </table>
          <table>
            <tbody>
              <tr><td>jump-model state</td><td>{why.state ?? '–'}</td></tr>
              <tr><td>model regime before the VIX layer</td><td>{why.modelRegime ?? '–'}</td></tr>
              <tr><td>DD (downside deviation)</td><td>{num(why.features.dd, 5)}</td></tr>
              <tr><td>S20 / S60 (Sortino)</td><td>{num(why.features.s20, 3)} / {num(why.features.s60, 3)}</td></tr>
              <tr><td>VIX</td><td>{num(why.vix.close)}{why.vix.floor !== null ? ` (floor ${why.vix.floor})` : ''}</td></tr>
              <tr><td>fit in force</td><td>{why.fit ? `${why.fit.trainFrom} → ${why.fit.trainTo} (refit ${why.fit.date})` : 'none yet'}</td></tr>
            </tbody>
          </table>
        </div>
      </section>
      <section>
        <h2>SPY, VIX and the regime</h2>
        <Chart id="regime-chart" spec={chart} />
      </section>
      <section>
        <h2>Days per regime per year</h2>
        <div class="scroll">
          <table id="regime-years">
            <thead><tr><th>year</th>{REGIMES.map((r) => <th class={r}>{r}</th>)}<th>none</th></tr></thead>
            <tbody>{Object.entries(summary.byYear).map(([y, c]) => <tr><td>{y}</td>{REGIMES.map((r) => <td>{c[r]}</td>)}<td>{c.none}</td></tr>)}</tbody>
          </table>
        </div>
      </section>
      <ModelsSection data={props.data} models={props.models} />
    </>
  );
}

function ModelsSection(props: { data: DashboardData; models: readonly ConfiguredModel[] }) {
  const names = props.models.map((m) => m.model);
  if (props.models.length < 2) {
    return (
      <section>
        <h2>Regime models</h2>
        <p>{names.length === 1 ? `One model is configured (${names[0]}, from ${props.models[0].from.join(', ')}).` : 'The default model (seed) is the only one in use.'} A comparison appears here when the accounts' strategy files name more than one, or with `atlas dashboard --regime-models seed,sma200`.</p>
      </section>
    );
  }
  let view;
  try {
    view = modelComparison(props.data, props.models);
  } catch (err) {
    if (err instanceof AtlasError) return <section><h2>Regime models</h2><Empty>{err.message}</Empty></section>;
    throw err;
  }
  if (!view) return null;
  const bh = view.rows[0]?.period.buyAndHold;
  return (
    <section>
      <h2>Regime models compared</h2>
      <p>Regime-scaled SPY per model, {view.from} → {view.to}: exposure decided at the close earns the next session's return, 5 bps per unit of exposure change, cash at 0% (as `atlas regime compare --models {names.join(',')}`).</p>
      <div class="scroll">
        <table id="regime-models">
          <thead><tr><th>model</th><th>configured in</th>{REGIMES.map((r) => <th class={r}>days {r}</th>)}<th>exposure changes / yr</th><th>average exposure</th><th>Sharpe</th><th>CAGR</th><th>max drawdown</th></tr></thead>
          <tbody>
            {view.rows.map((r) => (
              <tr data-model={r.model}>
                <td>{r.model}</td><td class="left muted">{r.from.join(', ')}</td>
                {REGIMES.map((g) => <td data-k={`days-${g}`}>{r.period.daysPerLabel[g]}</td>)}
                <td data-k="changes">{num(r.period.exposureChangesPerYear, 1)}</td><td>{pct(r.period.averageExposure, 1)}</td>
                <td data-k="sharpe">{num(r.period.strategy.sharpe)}</td><td>{pct(r.period.strategy.cagr)}</td><td>{pct(r.period.strategy.maxDrawdown)}</td>
              </tr>
            ))}
            {bh ? <tr class="muted"><td>SPY buy &amp; hold</td><td></td>{REGIMES.map(() => <td></td>)}<td>0.0</td><td>100.0%</td><td data-k="sharpe-bh">{num(bh.sharpe)}</td><td>{pct(bh.cagr)}</td><td>{pct(bh.maxDrawdown)}</td></tr> : null}
          </tbody>
        </table>
      </div>
      <Chart id="regime-models-chart" spec={view.chart} />
    </section>
  );
}
