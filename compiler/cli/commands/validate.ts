// `fabric validate`: load and check the spec, print the diagnostics.
import { hasErrors } from '../../diagnostics.ts';
import { loadAndValidate } from '../../index.ts';
import { MAX_SPEC_BYTES } from '../../load.ts';
import { EXIT, printDiagnostics, say, specText } from '../output.ts';
import { specExitCode } from '../../errors.ts';
import { STDIN_SPEC } from '../../spec-name.ts';

export function validateCommand(opts: { spec: string; json?: boolean }): number {
  const { diagnostics, source } = loadAndValidate(opts.spec, specText(opts.spec, MAX_SPEC_BYTES));
  printDiagnostics(diagnostics, source, Boolean(opts.json));
  if (hasErrors(diagnostics)) return specExitCode(diagnostics);
  if (!opts.json) say(`${opts.spec === STDIN_SPEC ? 'standard input' : opts.spec}: valid`);
  return EXIT.ok;
}
