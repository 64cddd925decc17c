// Why writing the out dir failed. Every file system error emit meets (lock,
// stage, journal, rename) is put in words by compiler/fs-errors.ts.
import { EXIT, FabricError } from './errors.ts';

export { fsHint, fsReason } from './fs-errors.ts';

/** Exit 3 (EXIT.toolFailure): the out dir cannot be written as asked; the message says why, the hint what to do. */
export class EmitError extends FabricError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.toolFailure, hint });
  }
}
