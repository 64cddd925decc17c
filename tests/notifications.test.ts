// Notifications: the generated Alertmanager configs route each label set to
// the receivers the spec means (checked by amtool itself, `config routes
// test`), Mimir mounts the Secrets the receivers read, and compile --verify's
// amtool check reports a broken config.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { compileSpec } from '../compiler/index.ts';
import { ALERTMANAGER_SECRETS_DIR } from '../compiler/model/index.ts';
import { amtoolVersion, checkAlertmanagerConfigs, knowsUrlFile, withoutUrlFile } from '../compiler/verify/amtool.ts';
import { fromRoot } from './helpers/paths.ts';
import { requireTool } from './helpers/tools.ts';

const MIMIR = 'gitops/components/monitoring/mimir/overlays';
const tmp = mkdtempSync(join(tmpdir(), 'fabric-am-test-'));

/** A config file amtool of any version loads (webhook url_file replaced when it is older than 0.26). */
function loadable(configText: string, name: string): string {
  const file = join(tmp, name);
  writeFileSync(file, stringify(withoutUrlFile(parse(configText)).config));
  return file;
}

/** The receivers amtool routes a label set to, in order. */
function receivers(file: string, labels: Record<string, string>): string[] {
  const args = [
    'config',
    'routes',
    'test',
    `--config.file=${file}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ];
  return execFileSync('amtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim()
    .split(',')
    .filter(Boolean);
}

const fallback = (caseDir: string, set: string) =>
  readFileSync(fromRoot(`${caseDir}/${MIMIR}/${set}/alertmanager-fallback.yaml`), 'utf8');

test('notifications golden: each environment routes as its spec says (amtool config routes test)', () => {
  if (!requireTool('amtool', 'alertmanager routes')) return;
  const prod = loadable(fallback('tests/golden/notifications/expected', 'prod'), 'prod.yaml');
  const stage = loadable(fallback('tests/golden/notifications/expected', 'stage'), 'stage.yaml');
  // prod copies everything to audit, then critical -> oncall and the rest -> chat.
  assert.equal(receivers(prod, { alertname: 'HighErrorRate', env: 'prod', severity: 'critical' }), ['audit', 'oncall']);
  assert.equal(receivers(prod, { alertname: 'HighErrorRate', env: 'prod', severity: 'warning' }), ['audit', 'chat']);
  // stage inherits the top-level route.
  assert.equal(receivers(stage, { alertname: 'HighErrorRate', env: 'stage', severity: 'critical' }), ['oncall']);
  assert.equal(receivers(stage, { alertname: 'HighErrorRate', env: 'stage', severity: 'warning' }), ['chat']);
});

test('shared tenancy: one config, one child route per environment, a receiver redefined per env is suffixed', () => {
  if (!requireTool('amtool', 'alertmanager shared routes')) return;
  const shared = loadable(fallback('tests/golden/shared-tenancy/expected', 'shared'), 'shared.yaml');
  assert.equal(receivers(shared, { alertname: 'X', env: 'prod', severity: 'warning' }), ['chat-prod']);
  assert.equal(receivers(shared, { alertname: 'X', env: 'stage', severity: 'warning' }), ['chat-stage']);
  assert.equal(receivers(shared, { alertname: 'X', env: 'prod', severity: 'critical' }), ['oncall']);
  assert.equal(receivers(shared, { alertname: 'X', severity: 'critical' }), ['default']);
});

test("the issue's sketch order: a matching route with continue still takes the alert from the default receiver", () => {
  if (!requireTool('amtool', 'alertmanager continue')) return;
  // Documented in docs/alerting.md and the spec reference; fabric keeps the user's order.
  const spec = readFileSync(fromRoot('tests/golden/notifications/fabric.yaml'), 'utf8').replace(
    '          - { match: { env: prod }, receiver: audit, continue: true }\n          - { match: { severity: critical }, receiver: oncall }\n          - { receiver: chat }\n',
    '          - { match: { severity: critical }, receiver: oncall }\n          - { match: { env: prod }, receiver: audit, continue: true }\n',
  );
  assert.ok(spec.includes('receiver: audit, continue: true }\napps'), 'the spec edit applied');
  const specFile = join(tmp, 'sketch.yaml');
  writeFileSync(specFile, spec);
  const r = compileSpec(specFile);
  assert.ok('model' in r, JSON.stringify('diagnostics' in r ? r.diagnostics : ''));
  const file = r.files.find((f) => f.path === `${MIMIR}/prod/alertmanager-fallback.yaml`)!;
  const prod = loadable(file.contents, 'sketch-prod.yaml');
  assert.equal(receivers(prod, { alertname: 'X', env: 'prod', severity: 'warning' }), ['audit']);
  assert.equal(receivers(prod, { alertname: 'X', env: 'prod', severity: 'critical' }), ['oncall']);
});

test('critical inhibits the warning of the same alertname and env', () => {
  const config = parse(fallback('tests/golden/notifications/expected', 'prod'));
  assert.equal(config.inhibit_rules, [
    { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'env'] },
  ]);
});

test('Mimir mounts every Secret a receiver reads: optional, read-only, no subPath, where the config reads it', () => {
  if (!requireTool('kubectl', 'alertmanager secrets', ['version', '--client'])) return;
  const dir = fromRoot(`tests/golden/notifications/expected/${MIMIR}/prod`);
  const built = parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })).map((d) =>
    d.toJS(),
  );
  const sts = built.find((o) => o.kind === 'StatefulSet');
  const pod = sts.spec.template.spec;
  const mounts = pod.containers[0].volumeMounts.filter((m: any) => m.mountPath.startsWith(ALERTMANAGER_SECRETS_DIR));
  const config = fallback('tests/golden/notifications/expected', 'prod');
  const read = [...config.matchAll(/_file: (\S+)/g)].map((m) => m[1]);
  assert.ok(read.length >= 4, 'the config reads secrets from files');
  for (const path of read) {
    const mount = mounts.find((m: any) => path.startsWith(m.mountPath + '/'));
    assert.ok(mount, `${path} is mounted`);
    assert.is(mount.readOnly, true);
    assert.is(mount.subPath, undefined, 'subPath mounts never see Secret updates');
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    assert.equal(volume.secret, { secretName: path.split('/')[3], optional: true });
  }
  // The config volume stays where mimir.yaml is read; secrets are outside it.
  assert.ok(pod.containers[0].volumeMounts.some((m: any) => m.mountPath === '/etc/mimir'));
});

test('compile --verify: amtool check-config reports an undefined receiver, and says when url_file was adapted', async () => {
  if (!requireTool('amtool', 'alertmanager verify')) return;
  const root = join(tmp, 'tree');
  const bad = 'route: { receiver: pager }\nreceivers: [{ name: chat }]\n';
  execFileSync('mkdir', ['-p', join(root, 'a'), join(root, 'b')]);
  writeFileSync(join(root, 'a/alertmanager-fallback.yaml'), bad);
  writeFileSync(join(root, 'b/alertmanager-fallback.yaml'), fallback('tests/golden/notifications/expected', 'prod'));
  const { findings, notes } = await checkAlertmanagerConfigs('amtool', root, [
    'a/alertmanager-fallback.yaml',
    'b/alertmanager-fallback.yaml',
  ]);
  assert.is(findings.length, 1);
  assert.is(findings[0].file, 'a/alertmanager-fallback.yaml');
  assert.match(findings[0].message, /undefined receiver "pager"/);
  const adapted = !knowsUrlFile(await amtoolVersion('amtool'));
  assert.is(notes.length, adapted ? 1 : 0);
  if (adapted) assert.match(notes[0], /url_file/);
});

test('an undefined receiver is a located spec error (FAB228) through the CLI', () => {
  const r = spawnSync('node', ['bin/fabric.cjs', 'validate', 'tests/fixtures/bad/fab228-unknown-receiver.yaml'], {
    cwd: fromRoot('.'),
    encoding: 'utf8',
  });
  assert.is(r.status, 1);
  assert.match(r.stdout + r.stderr, /fab228-unknown-receiver\.yaml:37:52 error FAB228 route names receiver 'pager'/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
