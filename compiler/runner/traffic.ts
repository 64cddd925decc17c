// `fabric traffic`: requests to the apps the spec deploys (their NodePort URLs
// from the model), so the dashboards and alerts have data. The load itself is
// load-generator.ts, the same as scripts/traffic.ts runs.
import type { Model } from '../model/index.ts';
import { endpoints } from './summary.ts';

export interface TrafficCommandOptions {
  duration: number;
  env?: string;
}

export function trafficTargets(model: Model, env?: string): { env: string; app: string; url: string }[] {
  return endpoints(model)
    .filter((e) => e.app && e.env && (env === undefined || e.env === env))
    .map((e) => ({ env: e.env!, app: e.app!, url: e.url }));
}
