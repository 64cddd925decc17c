// One broken invariant the fuzzer found (scripts/fuzz/pipeline.ts and usage.ts both report them).
export interface Violation {
  /** Which invariant broke (stable, short: it names fixtures and groups findings). */
  invariant: string;
  detail: string;
}
