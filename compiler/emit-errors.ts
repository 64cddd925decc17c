// Why writing the out dir failed. Every file system error emit meets (lock,
// stage, journal, rename) is put in words by compiler/fs-errors.ts.
export { fsHint, fsReason } from './fs-errors.ts';

export class EmitError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'EmitError';
  }
}
