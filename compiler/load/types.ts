// What the load stage hands on: the parsed document with positions, and the data.
import type { Document, LineCounter } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';

export interface LoadedSpec {
  file: string;
  source: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain data, or undefined when the file did not parse. */
  data: unknown;
}

export interface LoadResult {
  loaded?: LoadedSpec;
  /** The text read, also when it did not parse, so that YAML errors get a code frame. */
  source?: string;
  diagnostics: Diagnostic[];
}
