// The demo service's routes: fast endpoints, one slow one (above the p95
// latency threshold) and one that always fails (feeds the error-rate alert).
import express, { type Express } from 'express';
import type { Logger } from './log.ts';
import { observeRequests } from './observe-requests.ts';

export interface AppOptions {
  /** Delay of GET /api/slow in milliseconds. */
  slowMs: number;
  logger: Logger;
}

const USERS = [
  { id: 1, name: 'Ada Lovelace' },
  { id: 2, name: 'Grace Hopper' },
  { id: 3, name: 'Edsger Dijkstra' },
];

export function createApp({ slowMs, logger }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(observeRequests(logger));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/', (_req, res) => {
    res.json({
      service: 'fabric runtime-app',
      endpoints: ['/health', '/api/users', '/api/data', '/api/slow', '/api/error'],
    });
  });
  app.get('/api/users', (_req, res) => {
    res.json(USERS);
  });
  app.get('/api/data', (_req, res) => {
    res.json({ items: Array.from({ length: 10 }, (_, i) => ({ id: i, value: i * i })) });
  });
  app.get('/api/slow', async (_req, res) => {
    await new Promise((resolve) => setTimeout(resolve, slowMs));
    res.json({ delayedMs: slowMs });
  });
  app.get('/api/error', (_req, res) => {
    logger.log('error', 'simulated failure', { reason: 'GET /api/error always fails' });
    res.status(500).json({ error: 'simulated failure' });
  });
  return app;
}
