// One fact, one place: ports and fabric.dev/ label keys are typed in
// compiler/model/constants.ts only. Templates reach them through the
// portNumber/labelKey helpers, the runner through the constants.
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABEL_KEYS, PORTS } from '../compiler/model/constants.ts';
import { createEngine } from '../compiler/render/index.ts';
import { fromRoot } from './helpers/paths.ts';

const filesUnder = (dir: string) =>
  readdirSync(fromRoot(dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(hbs|ts)$/.test(f))
    .map((f) => `${dir}/${f}`);

const SOURCES = [...filesUnder('templates'), ...filesUnder('compiler/runner')];
const PORT_LITERAL = new RegExp(`(?<![\\w.])(${[...new Set(Object.values(PORTS))].join('|')})(?![\\w.])`);

test('the sources checked are there (the test reads real files)', () => {
  assert.ok(SOURCES.filter((f) => f.startsWith('templates/')).length > 40, SOURCES.join(', '));
  assert.ok(SOURCES.some((f) => f === 'compiler/runner/commands.ts'));
});

test('no port number is typed in templates/ or compiler/runner/ (model/constants.ts holds them)', () => {
  const hits: string[] = [];
  for (const file of SOURCES)
    readFileSync(fromRoot(file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (PORT_LITERAL.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  assert.equal(hits, []);
});

test('no fabric.dev/ label key is typed in templates/ or compiler/runner/', () => {
  const hits = SOURCES.filter((file) => readFileSync(fromRoot(file), 'utf8').includes('fabric.dev/'));
  assert.equal(hits, []);
});

test('the detector finds a port and the helpers print the constants', () => {
  assert.ok(PORT_LITERAL.test('        - port: 8080'));
  assert.not.ok(PORT_LITERAL.test('memory: 18080Mi'));
  const t = createEngine().compile('{{labelKey "environment"}}: {{portNumber "mimirHttp"}}\n', { strict: true });
  assert.is(t({}), `${LABEL_KEYS.environment}: ${PORTS.mimirHttp}\n`);
  assert.throws(() => createEngine().compile('{{portNumber "nope"}}', { strict: true })({}), /no port named nope/);
});

test.run();
