// Parsing of the unit-bearing strings fabric.yaml allows (durations, memory,
// IPv4 subnets), done once so each backend gets its own unit from one value.

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** The longest duration Go's time.Duration holds (int64 nanoseconds, 2562047h): Tempo and Alloy read durations as one. */
export const MAX_DURATION_SECONDS = Math.floor((2 ** 63 - 1) / 1e9);
/** The most memory minikube parses (int64 bytes), in MiB. */
export const MAX_MEMORY_MIB = 2 ** 43 - 1;

/** A fleet repeats a few durations thousands of times (retention, alert windows): each is parsed once. */
const parsedDurations = new Map<string, number>();

/** Seconds in a schema-valid duration such as `1h30m` or `7d`. */
export function durationSeconds(text: string): number {
  let seconds = parsedDurations.get(text);
  if (seconds === undefined) {
    // Milliseconds summed apart and divided once: 700 * 0.001 is 0.7000000000000001, 700 / 1000 is 0.7.
    let total = 0;
    let ms = 0;
    for (const m of text.matchAll(/([0-9]+)(ms|s|m|h|d|w)/g))
      if (m[2] === 'ms') ms += Number(m[1]);
      else total += Number(m[1]) * DURATION_UNITS[m[2]];
    seconds = total + ms / 1000;
    // Bounded: a long-lived process (the tests, the fuzzer) reads many specs.
    if (parsedDurations.size >= 10_000) parsedDurations.clear();
    parsedDurations.set(text, seconds);
  }
  return seconds;
}

/** A duration in the largest whole Prometheus unit (`15m`, `2h`, `1d`); Mimir and Loki accept these. */
export function promDuration(seconds: number): string {
  for (const [unit, size] of [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${Math.round(seconds * 1000)}ms`;
}

/** A duration as Go's time.Duration prints hours (`72h`): Tempo's block_retention has no `d` unit. */
export function goHours(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** MiB in a schema-valid minikube memory string (`4g`, `3072m`). */
export function memoryMiB(text: string): number {
  const n = Number(text.slice(0, -1));
  return text.endsWith('g') ? n * 1024 : n;
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface Subnet {
  network: number;
  prefix: number;
  size: number;
}

export function parseSubnet(cidr: string): Subnet {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(ipToInt(ip) / size) * size;
  return { network, prefix, size };
}

export const subnetContains = (s: Subnet, ip: string): boolean => {
  const n = ipToInt(ip);
  return n >= s.network && n < s.network + s.size;
};

/** Docker gives the gateway the first host address; network and broadcast are not usable. */
export function reservedAddress(s: Subnet, ip: string): string | undefined {
  const n = ipToInt(ip);
  if (n === s.network) return 'the network address';
  if (n === s.network + s.size - 1) return 'the broadcast address';
  if (n === s.network + 1) return 'the gateway address docker gives the network';
  return undefined;
}
