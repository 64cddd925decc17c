// The compiled tree as data, shared by render, emit, verify and push.

export interface RenderedFile {
  /** posix path relative to the tree root; never absolute, never '..'. */
  path: string;
  contents: string;
}

/** Where fabric records the files it owns, inside the tree it writes. */
export const MANIFEST_PATH = '.fabric/manifest.json';

export interface Manifest {
  generator: 'fabric';
  /** The spec path as given on the command line. */
  spec: string;
  /** sha256 of the spec source: names the input without a timestamp. */
  specHash: string;
  /** Sorted posix paths fabric owns, relative to the tree root; includes MANIFEST_PATH. */
  files: string[];
}
