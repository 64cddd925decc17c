// Whether this run's `compile` was answered by the compile stamp, for which
// spec and out dir, and whether the spec was found rather than named: the
// loader records such a command line's output so that the same command line
// can be answered again without the bundle (cli/replay.ts).
export interface StampAnswer {
  spec: string;
  out: string;
  /** The spec came from discovery (cli/discover.ts): a replay must find the same one. */
  discovered: boolean;
}

let answered: Omit<StampAnswer, 'discovered'> | undefined;
let discovered = false;

export function resetStampAnswer(): void {
  answered = undefined;
  discovered = false;
}
export const setStampAnswer = (a: Omit<StampAnswer, 'discovered'>) => {
  answered = a;
};
export const noteSpecDiscovered = () => {
  discovered = true;
};
export const stampAnswer = (): StampAnswer | undefined => answered && { ...answered, discovered };
