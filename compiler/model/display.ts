// Text for people (alert summaries, the README), computed once from the
// model's numbers so that no template or rule does float arithmetic.

/**
 * A ratio as a percentage without binary noise: 0.07 -> "7%", 0.001 -> "0.1%".
 * 0.07 * 100 is 7.000000000000001 in binary floating point; twelve significant
 * digits are more than a spec's threshold carries and drop that noise.
 */
export function percentText(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(12))}%`;
}
