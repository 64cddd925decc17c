// What the image ships, checked without Docker: runtime-app is its own npm
// workspace (the root lock pins what the tests run against), the Dockerfile keeps its
// promises, the compiled JavaScript (the image's CMD) is still instrumented,
// and the Prometheus names follow from the OTel names.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, rmdirSync, mkdirSync } from 'node:fs';
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
  SEMCONV_ATTRIBUTE,
  SEMCONV_METRIC,
  SEMCONV_PROM_LABEL,
  SEMCONV_PROM_METRIC,
} from '../runtime-app/src/telemetry-names.ts';

const json = (path: string) => JSON.parse(readFileSync(fromRoot(path), 'utf8'));
const image = suite('runtime-app image inputs');

image('runtime-app is an npm workspace: the CLI package does not depend on what only the app runs', () => {
  const root = json('package.json');
  const app = json('runtime-app/package.json');
  assert.equal(root.workspaces, ['runtime-app']);
  const appOnly = (name: string) => name === 'express' || name.startsWith('@opentelemetry/');
  for (const section of ['dependencies', 'devDependencies'] as const) {
    const leaked = Object.keys(root[section] ?? {}).filter((name) => appOnly(name) || name === '@types/express');
    assert.equal(leaked, [], `root ${section} carries no app dependency`);
  }
  assert.ok(app.dependencies.express, "express is the app's");
  assert.ok(app.dependencies['@opentelemetry/sdk-node'].startsWith('0.22'), 'sdk-node 0.22x: 0.30x needs Node 22');
  assert.not.ok(existsSync(fromRoot('runtime-app/package-lock.json')), "one lockfile, the root's");
  // The root lock knows the workspace with exactly its declared dependencies.
  const lock = json('package-lock.json').packages;
  assert.equal(lock['node_modules/fabric-runtime-app'], { resolved: 'runtime-app', link: true });
  assert.equal(lock['runtime-app'].dependencies, app.dependencies);
  assert.equal(lock['runtime-app'].devDependencies, app.devDependencies);
});

/** Package names `from '...'` imports of the .ts files under `dir` (relative imports and node: builtins left out). */
function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(fromRoot(dir), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(fromRoot(dir, file), 'utf8');
    for (const [, specifier] of text.matchAll(/\bfrom '([^'.][^']*)'/g)) {
      if (specifier.startsWith('node:')) continue;
      names.add(
        specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/'),
      );
    }
  }
  return names;
}

image('every package runtime-app imports is its own dependency, and the CLI imports none of them', () => {
  const app = json('runtime-app/package.json');
  for (const name of importedPackages('runtime-app/src'))
    assert.ok(app.dependencies[name], `runtime-app imports ${name}: declare it in runtime-app/package.json`);
  const cli = importedPackages('compiler');
  for (const name of Object.keys(app.dependencies))
    assert.not.ok(cli.has(name), `compiler/ imports ${name}, which only runtime-app installs`);
});

image(
  'the Dockerfile pins a Node LTS base by digest, builds the workspace from the root lock, runs as non-root',
  () => {
    const dockerfile = readFileSync(fromRoot('runtime-app/Dockerfile'), 'utf8');
    const pinned = /^ARG NODE_IMAGE=(node:(\d+)\.\d+\.\d+-alpine3\.\d+)@sha256:[0-9a-f]{64}$/m.exec(dockerfile);
    assert.ok(pinned, 'ARG NODE_IMAGE=node:<exact version>-alpine<version>@sha256:<digest>');
    assert.ok(['22', '24'].includes(pinned[2]), `Node ${pinned[2]} is not a maintained LTS line`);
    assert.ok(dockerfile.includes(`# Base: ${pinned[1]} `), 'the comment names the pinned tag');
    const froms = dockerfile.match(/^FROM .*$/gm) ?? [];
    assert.ok(froms.length >= 2, 'multi-stage');
    for (const from of froms) assert.match(from, /^FROM \$\{NODE_IMAGE\}/);
    assert.match(dockerfile, /^COPY package\.json package-lock\.json \.\/$/m);
    assert.match(dockerfile, /npm ci --workspace runtime-app --omit=dev/);
    assert.match(dockerfile, /^USER [1-9]\d*:[1-9]\d*$/m);
    assert.match(dockerfile, /^HEALTHCHECK[^]*\/health/m);
    assert.match(dockerfile, /^CMD \["node", "dist\/main\.js"\]$/m);
    // Every file the Dockerfile copies from the context is let through by its .dockerignore.
    const ignore = readFileSync(fromRoot('runtime-app/Dockerfile.dockerignore'), 'utf8');
    const allowed = new Set([...ignore.matchAll(/^!(.+)$/gm)].map((m) => m[1]));
    for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
      for (const source of sources.split(' ')) assert.ok(allowed.has(source), `${source} is in the build context`);
  },
);

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
  // The semantic-convention histogram (unit s): http_server_request_duration_seconds_{bucket,sum,count}.
  assert.is(SEMCONV_PROM_METRIC.requestDurationBucket, `${base(SEMCONV_METRIC.requestDuration)}_seconds_bucket`);
  assert.is(SEMCONV_PROM_METRIC.requestDurationSum, `${base(SEMCONV_METRIC.requestDuration)}_seconds_sum`);
  assert.is(SEMCONV_PROM_METRIC.requestDurationCount, `${base(SEMCONV_METRIC.requestDuration)}_seconds_count`);
  for (const key of Object.keys(SEMCONV_ATTRIBUTE) as (keyof typeof SEMCONV_ATTRIBUTE)[]) {
    assert.is(SEMCONV_PROM_LABEL[key], base(SEMCONV_ATTRIBUTE[key]));
  }
});

image('TELEMETRY.md names every metric and label the code exports', () => {
  const doc = readFileSync(fromRoot('runtime-app/TELEMETRY.md'), 'utf8');
  for (const name of [
    ...Object.values(PROM_METRIC),
    ...Object.values(PROM_LABEL),
    ...Object.values(OTEL_METRIC),
    ...Object.values(OTEL_ATTRIBUTE),
    ...Object.values(SEMCONV_METRIC),
    ...Object.values(SEMCONV_ATTRIBUTE),
    ...Object.values(SEMCONV_PROM_METRIC),
    ...Object.values(SEMCONV_PROM_LABEL),
  ]) {
    assert.ok(doc.includes(`\`${name}\``), `TELEMETRY.md mentions \`${name}\``);
  }
});

image('the compiled JavaScript (the image CMD) still traces requests with their route', async () => {
  mkdirSync(fromRoot('runtime-app/dist'), { recursive: true });
  // Inside runtime-app/ so node resolves packages as in the image (the workspace's, hoisted to the root).
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
        OTEL_TRACES_SAMPLER: 'always_on',
      },
      [join(outDir, 'main.js')],
    );
    try {
      await (await fetch(`${app.baseUrl}/api/users`)).arrayBuffer();
      // http.route on the server span: the route template express matched.
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
