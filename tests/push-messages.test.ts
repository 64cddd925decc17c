// The words of push failures: git's own reason, whole, never cut at the
// advice git prints after it (issue 19: a message ended at "e.g.").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyGitError } from '../compiler/push/git.ts';

const context = { remoteURL: 'https://example.test/gitops.git', timeoutMs: 1000, dir: '/cache/repos/abc' };

test('a lock file git cannot create is named whole; the advice after it is not glued on, cut at "e.g."', () => {
  const text = [
    "fatal: Unable to create '/cache/repos/abc/.git/refs/remotes/origin/main.lock': File exists.",
    '',
    'Another git process seems to be running in this repository, e.g.',
    "an editor opened by 'git commit'. Please make sure all processes",
    'are terminated then try again. If it still fails, a git process',
    'may have crashed in this repository earlier:',
    'remove the file manually to continue.',
  ].join('\n');
  const e = classifyGitError(new Error(text), ['fetch', 'origin'], context);
  assert.is(e.code, 'git-locked');
  assert.is(
    e.message,
    "git fetch failed: fatal: Unable to create '/cache/repos/abc/.git/refs/remotes/origin/main.lock': File exists.",
  );
  assert.not.match(e.message, /e\.g\./);
});

test('a cause git puts on the next line is still joined ("unable to connect to host:" / errno)', () => {
  const text = 'fatal: unable to connect to example.test:\nexample.test[0: 127.0.0.1]: errno=Connection refused\n';
  const e = classifyGitError(new Error(text), ['fetch'], context);
  assert.is(e.code, 'remote-unreachable');
  assert.match(
    e.message,
    /unable to connect to example\.test: example\.test\[0: 127\.0\.0\.1\]: errno=Connection refused/,
  );
});

test.run();
