/**
 * @module Starting and stopping the dashboard: checks the host, creates or reads the token, opens
 * the store read-only, listens, and hands back the login URL. `close` ends open event streams too.
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { RegimeModelName } from '../regime/models/registry.js';
import { loadOperationsConfig } from '../operations/config.js';
import { DEFAULT_STRATEGY_FILE } from '../strategy/load.js';
import { createDashboardApp } from './app.js';
import { ChangeFeed } from './changes.js';
import { checkHost } from './host.js';
import { DashboardData } from './readModel.js';
import { loadOrCreateToken } from './token.js';

import { DEFAULT_PORT } from './defaults.js';

export { DEFAULT_PORT };

export interface DashboardOptions {
  dataDir: string;
  host?: string;
  port?: number;
  allowRemote?: boolean;
  clock: Clock;
  secrets?: readonly string[];
  /** Strategy files to show; default: those deployed in atlas.operations.json, and ./atlas.strategy.json when present. */
  strategyFiles?: readonly string[];
  /** Regime models to compare on the Regime page besides those the strategy files name. */
  regimeModels?: readonly RegimeModelName[];
  /** How often the server looks for changes while a browser listens (ms). */
  pollMs?: number;
}

export interface RunningDashboard {
  url: string;
  loginUrl: string;
  token: string;
  tokenPath: string;
  tokenCreated: boolean;
  warning: string | null;
  close(): Promise<void>;
}

function defaultStrategyFiles(dataDir: string): string[] {
  const files: string[] = [];
  try {
    const ops = loadOperationsConfig(dataDir);
    if (ops.path) files.push(...ops.run.strategies.map((f) => resolve(dirname(ops.path!), f)));
  } catch {
    // A broken operations file is `atlas run`'s to report; the dashboard still starts.
  }
  const local = resolve(DEFAULT_STRATEGY_FILE);
  if (existsSync(local) && !files.includes(local)) files.push(local);
  return files;
}

export async function startDashboard(o: DashboardOptions): Promise<RunningDashboard> {
  const host = o.host ?? '127.0.0.1';
  const warning = checkHost(host, o.allowRemote ?? false);
  const { token, created, path } = loadOrCreateToken(o.dataDir);
  const data = new DashboardData(o.dataDir);
  const feed = new ChangeFeed(() => data.signature(), o.pollMs ?? 250);
  const app = createDashboardApp({ data, feed, dataDir: o.dataDir, token, clock: o.clock, secrets: o.secrets ?? [], strategyFiles: o.strategyFiles ?? defaultStrategyFiles(o.dataDir), regimeModels: o.regimeModels });
  let server!: Server;
  const port = await new Promise<number>((resolvePort, reject) => {
    server = serve({ fetch: app.fetch, hostname: host, port: o.port ?? DEFAULT_PORT }, (info) => resolvePort(info.port)) as Server;
    server.once('error', reject);
  });
  const shown = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}`;
  return {
    url, token, tokenPath: path, tokenCreated: created, warning,
    loginUrl: `${url}/login?token=${token}`,
    close: () => new Promise<void>((done) => {
      feed.stop();
      server.close(() => {
        data.close();
        done();
      });
      server.closeAllConnections();
    }),
  };
}
