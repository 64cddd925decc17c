// What the image ships, checked without Docker: runtime-app/package.json and
// its lockfile pin what the tests run against, the Dockerfile keeps its
// promises, the compiled JavaScript (the image's CMD) is still instrumented,
// and the Prometheus names follow from the OTel names.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, rmdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fromRoot } from './helpers/paths.ts';
import { OtlpReceiver, waitFor } from './runtime-app-otlp-receiver.ts';
import { startApp } from './runtime-app-process.ts';
import {
  OTEL_ATTRIBUTE,
  OTEL_METRIC,
  PROM_LABEL,
  PROM_METRIC,
  REQUEST_DURATION_UNIT,
} from '../runtime-app/src/telemetry-names.ts';

const json = (path: string) => JSON.parse(readFileSync(fromRoot(path), 'utf8'));
const image = suite('runtime-app image inputs');

image('runtime-app/package.json declares its dependencies exactly as the root does', () => {
  const root = json('package.json');
  const app = json('runtime-app/package.json');
  for (const [section, deps] of [
    ['dependencies', app.dependencies],
    ['devDependencies', app.devDependencies],
  ] as const) {
    for (const [name, spec] of Object.entries(deps as Record<string, string>)) {
      assert.is(root[section]?.[name], spec, `${name} in root ${section}`);
    }
  }
  assert.ok(app.dependencies['@opentelemetry/sdk-node'].startsWith('0.22'), 'sdk-node 0.22x: 0.30x needs Node 22');
});

image('both lockfiles resolve the runtime dependencies to the same versions', () => {
  const rootLock = json('package-lock.json').packages;
  const appLock = json('runtime-app/package-lock.json').packages;
  for (const name of Object.keys(json('runtime-app/package.json').dependencies)) {
    const key = `node_modules/${name}`;
    assert.ok(appLock[key], `${name} in runtime-app/package-lock.json`);
    assert.is(appLock[key].version, rootLock[key]?.version, name);
  }
});

image('the Dockerfile pins its base image, runs as a numeric non-root user and checks /health', () => {
  const dockerfile = readFileSync(fromRoot('runtime-app/Dockerfile'), 'utf8');
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:20\.\d+\.\d+-alpine3\.\d+$/m);
  const froms = dockerfile.match(/^FROM .*$/gm) ?? [];
  assert.ok(froms.length >= 2, 'multi-stage');
  for (const from of froms) assert.match(from, /^FROM \$\{NODE_IMAGE\}/);
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /^USER [1-9]\d*:[1-9]\d*$/m);
  assert.match(dockerfile, /^HEALTHCHECK[^]*\/health/m);
  assert.match(dockerfile, /^CMD \["node", "dist\/main\.js"\]$/m);
});

image('the Prometheus names are the OTel names through otelcol.exporter.prometheus', () => {
  // add_metric_suffixes=true: dots → underscores, unit s → _seconds, counters → _total.
  const base = (name: string) => name.replaceAll('.', '_');
  assert.is(PROM_METRIC.requests, `${base(OTEL_METRIC.requests)}_total`);
  assert.is(PROM_METRIC.errors, `${base(OTEL_METRIC.errors)}_total`);
  assert.is(REQUEST_DURATION_UNIT, 's');
  for (const suffix of ['bucket', 'sum', 'count'] as const) {
    const key = `requestDuration${suffix[0].toUpperCase()}${suffix.slice(1)}` as keyof typeof PROM_METRIC;
    assert.is(PROM_METRIC[key], `${base(OTEL_METRIC.requestDuration)}_seconds_${suffix}`);
  }
  for (const key of Object.keys(OTEL_ATTRIBUTE) as (keyof typeof OTEL_ATTRIBUTE)[]) {
    assert.is(PROM_LABEL[key], base(OTEL_ATTRIBUTE[key]));
  }
});

image('TELEMETRY.md names every metric and label the code exports', () => {
  const doc = readFileSync(fromRoot('runtime-app/TELEMETRY.md'), 'utf8');
  for (const name of [
    ...Object.values(PROM_METRIC),
    ...Object.values(PROM_LABEL),
    ...Object.values(OTEL_METRIC),
    ...Object.values(OTEL_ATTRIBUTE),
  ]) {
    assert.ok(doc.includes(`\`${name}\``), `TELEMETRY.md mentions \`${name}\``);
  }
});

image('the compiled JavaScript (the image CMD) still instruments express', async () => {
  mkdirSync(fromRoot('runtime-app/dist'), { recursive: true });
  // Inside runtime-app/ so node resolves packages as in the image (here: the root node_modules).
  const outDir = mkdtempSync(join(fromRoot('runtime-app/dist'), 'test-'));
  const receiver = new OtlpReceiver();
  try {
    execFileSync(
      process.execPath,
      [
        fromRoot('node_modules/typescript/bin/tsc'),
        '-p',
        fromRoot('runtime-app/tsconfig.build.json'),
        '--outDir',
        outDir,
      ],
      { stdio: 'pipe' },
    );
    const app = await startApp(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: await receiver.start(),
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      [join(outDir, 'main.js')],
    );
    try {
      await (await fetch(`${app.baseUrl}/api/users`)).arrayBuffer();
      // http.route on the server span comes from the express instrumentation.
      const span = await waitFor('a server span with http.route=/api/users', () =>
        receiver.spans().find((s) => s.kind === 2 && s.attributes['http.route'] === '/api/users'),
      );
      assert.is(span.resource['service.name'], 'instrumented-app');
    } finally {
      assert.is(await app.stop(), 0);
    }
  } finally {
    await receiver.stop();
    rmSync(outDir, { recursive: true, force: true });
    try {
      rmdirSync(fromRoot('runtime-app/dist'));
    } catch {
      // Not empty: a real build lives there; leave it.
    }
  }
});

image.run();
